// CREATE ROLE / USER, ALTER ROLE / USER, ALTER ROLE ... RENAME TO, DROP ROLE: roles are catalog
// rows (catalog.h RoleDef), changed transactionally like any other DDL. Passwords are stored
// as verifiers: a given md5 or SCRAM verifier as is, anything else encoded by the catalog's
// password encoder (SCRAM-SHA-256, as PG 15's password_encryption default).
//
// Not built, each failing with 0A000: role membership (IN ROLE, ROLE, ADMIN, GRANT role),
// per-role connection limits, ALTER ROLE ... SET. Privileges are not enforced at all: a role
// that is not a superuser can still read and change every table, and CREATE ROLE says so with
// a WARNING.
#include <cctype>

#include "engine/parser.h"
#include "engine/sql/errors.h"
#include "engine/sql/execution/statements.h"
#include "engine/types/type_io.h"

namespace nordlys::engine::sql {
namespace {

bool IsVerifier(const std::string& p) {
  if (p.rfind("SCRAM-SHA-256$", 0) == 0) return true;
  if (p.size() != 35 || p.rfind("md5", 0) != 0) return false;
  for (size_t i = 3; i < p.size(); ++i) {
    if (!std::isxdigit(static_cast<unsigned char>(p[i]))) return false;
  }
  return true;
}

// The integer of "CONNECTION LIMIT n" (libpg_query's JSON drops zero and negative integers).
int64_t ConnectionLimit(const Json& de, std::string_view sql) {
  const Json& a = de["arg"];
  if (a.contains("Integer") && a["Integer"].contains("ival")) return a["Integer"]["ival"].get<int64_t>();
  int loc = de.value("location", -1);
  if (loc < 0) return 0;
  size_t i = static_cast<size_t>(loc);
  while (i < sql.size() && sql[i] != '-' && !std::isdigit(static_cast<unsigned char>(sql[i]))) ++i;
  return IntegerAt(sql, static_cast<int>(i));
}

Status CheckRoleName(const std::string& name) {
  if (name == "public" || name == "none") {
    return SqlError("42939", "role name \"" + name + "\" is reserved");
  }
  if (name.rfind("pg_", 0) == 0) {
    return SqlError("42939", "role name \"" + name + "\" is reserved",
                    {.detail = "Role names starting with \"pg_\" are reserved."});
  }
  return Status::OK();
}

const RoleDef* SessionRole(StmtEnv& env) {
  const std::string user = env.ctx->session != nullptr ? env.ctx->session->user : "postgres";
  return env.ctx->snap->FindRole(user);
}

// Applies CREATE/ALTER ROLE options to `r`. `creating`: CREATE (the name is new).
Status ApplyOptions(const Json& options, RoleDef* r, bool creating, StmtEnv& env) {
  const RoleDef* me = SessionRole(env);
  const bool super = me != nullptr && me->superuser;
  const bool can_manage = super || (me != nullptr && me->createrole);
  bool only_own_password = !creating && me != nullptr && me->oid == r->oid;
  for (const auto& o : options) {
    const Json& de = o["DefElem"];
    const std::string name = de.value("defname", "");
    const Json& arg = de.contains("arg") ? de["arg"] : Json();
    auto flag = [&]() { return arg.contains("Boolean") && arg["Boolean"].value("boolval", false); };
    if (name != "password") only_own_password = false;
    if (name == "superuser" || name == "isreplication" || name == "bypassrls") {
      if (!super) {
        std::string what = name == "superuser" ? "superusers" : name == "isreplication" ? "replication users"
                                                                                           : "bypassrls users";
        return SqlError("42501", "must be superuser to " + std::string(creating ? "create " : "alter ") + what);
      }
      bool v = flag();
      if (name == "superuser") r->superuser = v;
      if (name == "isreplication") r->replication = v;
      if (name == "bypassrls") r->bypassrls = v;
    } else if (name == "createrole") {
      r->createrole = flag();
    } else if (name == "createdb") {
      r->createdb = flag();
    } else if (name == "canlogin") {
      r->login = flag();
    } else if (name == "inherit") {
      r->inherit = flag();
    } else if (name == "password") {
      std::string pw = arg.contains("String") ? arg["String"].value("sval", "") : "";
      if (!arg.contains("String")) {
        r->password.clear();
      } else if (pw.empty()) {
        env.out->Notice("NOTICE", "00000", "empty string is not a valid password, clearing password");
        r->password.clear();
      } else if (IsVerifier(pw)) {
        r->password = pw;
      } else {
        const auto& encode = env.ctx->catalog->password_encoder();
        if (!encode) return Unsupported("storing passwords in this process");
        r->password = encode(r->name, pw);
      }
    } else if (name == "validUntil") {
      std::string text = arg.contains("String") ? arg["String"].value("sval", "") : "";
      types::Type tz(types::TypeId::kTimestampTz);
      static const types::SessionSettings kDefault;
      NORDLYS_ASSIGN_OR_RETURN(types::Value v,
                               types::InputValue(text, tz, env.ctx->session ? env.ctx->session->settings : kDefault));
      r->valid_until = v.as_int();  // 'infinity' is kept as such, as PG does
    } else if (name == "connectionlimit") {
      if (ConnectionLimit(de, env.sql) != -1) return Unsupported("per-role connection limits");
    } else if (name == "addroleto" || name == "rolemembers" || name == "adminmembers") {
      return Unsupported("role membership");
    } else {
      return Unsupported("role option " + name);
    }
  }
  if (!can_manage && !only_own_password) return SqlError("42501", "permission denied");
  return Status::OK();
}

Result<std::string> CreateRole(const Json& s, StmtEnv& env) {
  RoleDef r;
  r.name = s.value("role", "");
  NORDLYS_RETURN_IF_ERROR(CheckRoleName(r.name));
  const RoleDef* me = SessionRole(env);
  if (me == nullptr || (!me->superuser && !me->createrole)) {
    return SqlError("42501", "permission denied to create role");
  }
  if (env.ctx->snap->FindRole(r.name) != nullptr) {
    return SqlError("42710", "role \"" + r.name + "\" already exists");
  }
  r.login = s.value("stmt_type", "") == "ROLESTMT_USER";
  r.oid = env.ctx->catalog->NewOid();
  if (s.contains("options")) NORDLYS_RETURN_IF_ERROR(ApplyOptions(s["options"], &r, true, env));
  NORDLYS_RETURN_IF_ERROR(env.ctx->catalog->PutRole(env.ctx->txn, env.ctx->cat_state, r));
  if (!r.superuser) {
    env.out->Notice("WARNING", "01000",
                    "privileges are not enforced yet: role \"" + r.name + "\" can read and change every table");
  }
  return std::string("CREATE ROLE");
}

Result<const RoleDef*> NamedRole(const Json& spec, StmtEnv& env) {
  const std::string type = spec.value("roletype", "");
  std::string name;
  if (type == "ROLESPEC_CSTRING") {
    name = spec.value("rolename", "");
  } else if (type == "ROLESPEC_CURRENT_USER" || type == "ROLESPEC_SESSION_USER" || type == "ROLESPEC_CURRENT_ROLE") {
    name = env.ctx->session != nullptr ? env.ctx->session->user : "postgres";
  } else {
    return Unsupported("ALTER ROLE ALL / PUBLIC");
  }
  const RoleDef* r = env.ctx->snap->FindRole(name);
  if (r == nullptr) return SqlError("42704", "role \"" + name + "\" does not exist");
  return r;
}

Result<std::string> AlterRole(const Json& s, StmtEnv& env) {
  NORDLYS_ASSIGN_OR_RETURN(const RoleDef* old, NamedRole(s["role"], env));
  RoleDef r = *old;
  if (old->superuser) {
    const RoleDef* me = SessionRole(env);
    if (me == nullptr || !me->superuser) return SqlError("42501", "must be superuser to alter superuser roles");
  }
  if (s.contains("options")) NORDLYS_RETURN_IF_ERROR(ApplyOptions(s["options"], &r, false, env));
  NORDLYS_RETURN_IF_ERROR(env.ctx->catalog->PutRole(env.ctx->txn, env.ctx->cat_state, r));
  return std::string("ALTER ROLE");
}

Result<std::string> RenameRole(const Json& s, StmtEnv& env) {
  const std::string from = s.value("subname", ""), to = s.value("newname", "");
  const RoleDef* old = env.ctx->snap->FindRole(from);
  if (old == nullptr) return SqlError("42704", "role \"" + from + "\" does not exist");
  const RoleDef* me = SessionRole(env);
  if (me != nullptr && me->oid == old->oid) return Unsupported("renaming the session user");
  if (me == nullptr || (!me->superuser && !me->createrole) || (old->superuser && !me->superuser)) {
    return SqlError("42501", "permission denied to rename role");
  }
  NORDLYS_RETURN_IF_ERROR(CheckRoleName(to));
  if (env.ctx->snap->FindRole(to) != nullptr) return SqlError("42710", "role \"" + to + "\" already exists");
  RoleDef r = *old;
  r.name = to;
  if (r.password.rfind("md5", 0) == 0) {
    // An md5 verifier hashes the name in: it cannot survive the rename (PG does the same).
    r.password.clear();
    env.out->Notice("NOTICE", "00000", "MD5 password cleared because of role rename");
  }
  NORDLYS_RETURN_IF_ERROR(env.ctx->catalog->PutRole(env.ctx->txn, env.ctx->cat_state, r));
  return std::string("ALTER ROLE");
}

Result<std::string> DropRole(const Json& s, StmtEnv& env) {
  const bool missing_ok = s.value("missing_ok", false);
  const RoleDef* me = SessionRole(env);
  for (const auto& item : s["roles"]) {
    const Json& spec = item["RoleSpec"];
    if (spec.value("roletype", "") != "ROLESPEC_CSTRING") return Unsupported("DROP ROLE of a role keyword");
    const std::string name = spec.value("rolename", "");
    const RoleDef* r = env.ctx->snap->FindRole(name);
    if (r == nullptr) {
      if (!missing_ok) return SqlError("42704", "role \"" + name + "\" does not exist");
      env.out->Notice("NOTICE", "00000", "role \"" + name + "\" does not exist, skipping");
      continue;
    }
    if (me == nullptr || (!me->superuser && !me->createrole) || (r->superuser && !me->superuser)) {
      return SqlError("42501", "permission denied to drop role");
    }
    if (me->oid == r->oid) return SqlError("55006", "current user cannot be dropped");
    if (r->oid == kBootstrapSuperuserOid) {
      return SqlError("2BP01", "cannot drop role " + name + " because it is required by the database system");
    }
    NORDLYS_RETURN_IF_ERROR(env.ctx->catalog->DeleteObject(env.ctx->txn, env.ctx->cat_state, r->oid));
  }
  return std::string("DROP ROLE");
}

}  // namespace

Result<std::string> ExecRoleDdl(const std::string& kind, const Json& s, StmtEnv& env) {
  return RunCatalogChange(env, [&]() -> Result<std::string> {
    if (kind == "CreateRoleStmt") return CreateRole(s, env);
    if (kind == "AlterRoleStmt") return AlterRole(s, env);
    if (kind == "RenameStmt") return RenameRole(s, env);
    return DropRole(s, env);
  });
}

}  // namespace nordlys::engine::sql
