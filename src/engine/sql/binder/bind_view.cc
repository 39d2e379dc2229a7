// Views: a view named in FROM binds its stored query (ViewDef::query) as a subquery that sees
// nothing of the referencing statement (no outer columns, no CTEs), under the view's column
// names. And, for CREATE VIEW, the recording of what a query reads and how its `*` expanded.
#include <algorithm>

#include "engine/sql/binder/binder.h"
#include "engine/sql/errors.h"

namespace nordlys::engine::sql {

void Binder::RecordColumn(uint32_t table_oid, int column) {
  if (recording_ == nullptr || view_depth_ > 0 || table_oid == 0) return;
  if (snap_->TableByOid(table_oid) == nullptr) return;  // system relations, views
  recording_->table_columns.insert({table_oid, column});
}

void Binder::ExpandStars(const ViewRecording& r) {
  // Later positions first, so that the earlier ones stay where they were recorded.
  std::vector<const ViewRecording::Star*> order;
  for (const auto& s : r.stars) order.push_back(&s);
  std::sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
    return a->target_list != b->target_list ? a->target_list < b->target_list : a->index > b->index;
  });
  for (const auto* s : order) {
    // The tree was bound as a mutable local of the caller (see set_recording).
    Json& list = *const_cast<Json*>(s->target_list);
    auto& items = list.get_ref<Json::array_t&>();
    items.erase(items.begin() + static_cast<std::ptrdiff_t>(s->index));
    items.insert(items.begin() + static_cast<std::ptrdiff_t>(s->index), s->targets.begin(), s->targets.end());
  }
  for (const auto& [rv, oid] : r.relation_refs) (*const_cast<Json*>(rv))["nordlys_oid"] = oid;
}

Result<std::unique_ptr<BoundFrom>> Binder::BindViewItem(const ViewDef& v, const Json& b, Scope* scope, int* offset) {
  const int pos = Position(b);
  if (recording_ != nullptr && view_depth_ == 0) {
    recording_->relations.insert(v.oid);
    recording_->relation_refs.emplace_back(&b, v.oid);
  }
  if (std::find(views_expanding_.begin(), views_expanding_.end(), v.oid) != views_expanding_.end()) {
    return SqlError("42P17", "infinite recursion detected in rules for relation \"" + v.name + "\"", {.position = pos});
  }
  // A stored reference keeps the name it was written with (the view may have been renamed since).
  const std::string alias = b.contains("alias") ? b["alias"].value("aliasname", v.name) : b.value("relname", v.name);
  if (locking_ != nullptr && locking_->scope == scope &&
      (locking_->all || std::find(locking_->names.begin(), locking_->names.end(), alias) != locking_->names.end())) {
    return Unsupported("FOR UPDATE/SHARE on a view", pos);
  }
  // The view's query is bound on its own: no CTEs, parameters or locking of this statement.
  std::vector<Cte> saved_ctes = std::move(ctes_);
  ctes_.clear();
  std::string_view saved_sql = sql_;
  sql_ = std::string_view();
  LockRequest* saved_lock = locking_;
  locking_ = nullptr;
  std::vector<types::Type> no_params;
  std::vector<types::Type>* saved_params = param_types_;
  param_types_ = &no_params;
  int saved_nullable = nullable_depth_;
  nullable_depth_ = 0;
  ++view_depth_;
  views_expanding_.push_back(v.oid);
  auto bound = BindQuery(v.query, nullptr);
  views_expanding_.pop_back();
  --view_depth_;
  nullable_depth_ = saved_nullable;
  param_types_ = saved_params;
  locking_ = saved_lock;
  sql_ = saved_sql;
  ctes_ = std::move(saved_ctes);
  NORDLYS_ASSIGN_OR_RETURN(auto query, std::move(bound));
  auto types = query->OutputTypes();
  bool same = types.size() == v.columns.size();
  for (size_t i = 0; same && i < types.size(); ++i) {
    same = types[i].id == v.columns[i].type.id && types[i].typmod == v.columns[i].type.typmod;
  }
  if (!same) {
    // DDL keeps what a view reads from changing under it; reaching this is a bug, not user error.
    return SqlError("XX000", "view \"" + v.name + "\" no longer matches its definition", {.position = pos});
  }
  auto f = std::make_unique<BoundFrom>();
  f->kind = BoundFrom::Kind::kSubquery;
  f->offset = *offset;
  f->subquery = std::move(query);
  f->alias = alias;
  ScopeItem item;
  item.alias = alias;
  item.offset = *offset;
  item.table_oid = v.oid;
  item.table_name = v.name;
  for (const auto& c : v.columns) {
    item.columns.push_back(c.name);
    item.types.push_back(c.type);
  }
  if (b.contains("alias") && b["alias"].contains("colnames")) {
    auto cols = NameList(b["alias"]["colnames"]);
    if (cols.size() > item.columns.size()) {
      return SqlError("42P10", "table \"" + alias + "\" has " + std::to_string(item.columns.size()) +
                                   " columns available but " + std::to_string(cols.size()) + " columns specified",
                      {.position = pos});
    }
    for (size_t i = 0; i < cols.size(); ++i) item.columns[i] = cols[i];
  }
  for (const auto& other : scope->items) {
    if (other.alias == item.alias) {
      return SqlError("42712", "table name \"" + item.alias + "\" specified more than once", {.position = pos});
    }
  }
  f->width = static_cast<int>(item.columns.size());
  *offset += f->width;
  scope->items.push_back(std::move(item));
  return f;
}

}  // namespace nordlys::engine::sql
