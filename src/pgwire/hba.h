// Client authentication rules in the form of PostgreSQL's pg_hba.conf (the subset Nordlys
// serves: TCP connections without TLS). One rule per line, '#' starts a comment:
//
//   # TYPE  DATABASE   USER      ADDRESS         METHOD
//   host    all        all       127.0.0.1/32    scram-sha-256
//   host    app,sales  alice     10.0.0.0/8      md5
//   host    all        all       all             reject
//
// TYPE: host or hostnossl (same thing here; hostssl lines are accepted and never match, as there
// is no TLS). DATABASE: all, sameuser, or a comma list. USER: all or a comma list. ADDRESS: all,
// an IPv4/IPv6 CIDR, or an address followed by a netmask column. METHOD: trust, reject,
// password, md5, scram-sha-256. The first matching rule decides.
//
// Thread safety: HbaConfig is immutable after parsing; share it freely.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace nordlys::pgwire {

enum class AuthMethod { kTrust, kReject, kPassword, kMd5, kScramSha256 };
std::string_view AuthMethodName(AuthMethod m);

struct HbaRule {
  int line = 0;
  bool ssl_only = false;  // hostssl: never matches (no TLS)
  bool all_databases = false;
  bool same_user = false;
  std::vector<std::string> databases;
  bool all_users = false;
  std::vector<std::string> users;
  bool all_addresses = false;
  bool v6 = false;
  std::array<uint8_t, 16> address{};  // IPv4 in the first 4 bytes
  int prefix_bits = 0;
  AuthMethod method = AuthMethod::kReject;
};

class HbaConfig {
 public:
  // Errors name the line: "pg_hba line 3: invalid authentication method \"md6\"".
  static Result<HbaConfig> Parse(std::string_view text);
  // A config with one rule: every host, database and user gets `method`.
  static HbaConfig AllowAll(AuthMethod method);

  // The first rule matching, or nullptr (then the connection is refused).
  // `peer_address` is textual IPv4 or IPv6 ("::ffff:a.b.c.d" counts as IPv4).
  const HbaRule* Match(std::string_view database, std::string_view user,
                       std::string_view peer_address) const;
  const std::vector<HbaRule>& rules() const { return rules_; }

 private:
  std::vector<HbaRule> rules_;
};

inline constexpr size_t kHbaMaxRules = 10'000;

}  // namespace nordlys::pgwire
