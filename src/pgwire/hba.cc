// pg_hba-style rules; see hba.h.
#include "pgwire/hba.h"

#include <arpa/inet.h>

#include <cstring>

namespace nordlys::pgwire {

namespace {

std::vector<std::string> SplitWords(std::string_view line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    if (i >= line.size() || line[i] == '#') break;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r' &&
           line[j] != '#') {
      ++j;
    }
    out.emplace_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    auto comma = s.find(',', start);
    out.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// Parses an IP; false if neither IPv4 nor IPv6. IPv4-mapped IPv6 becomes IPv4.
bool ParseIp(std::string_view text, std::array<uint8_t, 16>* out, bool* v6) {
  std::string s(text);
  out->fill(0);
  in_addr a4{};
  if (inet_pton(AF_INET, s.c_str(), &a4) == 1) {
    std::memcpy(out->data(), &a4, 4);
    *v6 = false;
    return true;
  }
  in6_addr a6{};
  if (inet_pton(AF_INET6, s.c_str(), &a6) == 1) {
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(a6.s6_addr, kMapped, 12) == 0) {
      std::memcpy(out->data(), a6.s6_addr + 12, 4);
      *v6 = false;
      return true;
    }
    std::memcpy(out->data(), a6.s6_addr, 16);
    *v6 = true;
    return true;
  }
  return false;
}

// Netmask -> prefix length, or -1 when the mask is not contiguous ones.
int MaskBits(const std::array<uint8_t, 16>& mask, int bytes) {
  int bits = 0;
  bool zero_seen = false;
  for (int i = 0; i < bytes; ++i) {
    for (int b = 7; b >= 0; --b) {
      bool one = (mask[i] >> b) & 1;
      if (one && zero_seen) return -1;
      if (one) ++bits; else zero_seen = true;
    }
  }
  return bits;
}

bool ParseMethod(const std::string& s, AuthMethod* m) {
  if (s == "trust") *m = AuthMethod::kTrust;
  else if (s == "reject") *m = AuthMethod::kReject;
  else if (s == "password") *m = AuthMethod::kPassword;
  else if (s == "md5") *m = AuthMethod::kMd5;
  else if (s == "scram-sha-256") *m = AuthMethod::kScramSha256;
  else return false;
  return true;
}

}  // namespace

std::string_view AuthMethodName(AuthMethod m) {
  switch (m) {
    case AuthMethod::kTrust: return "trust";
    case AuthMethod::kReject: return "reject";
    case AuthMethod::kPassword: return "password";
    case AuthMethod::kMd5: return "md5";
    case AuthMethod::kScramSha256: return "scram-sha-256";
  }
  return "?";
}

Result<HbaConfig> HbaConfig::Parse(std::string_view text) {
  HbaConfig cfg;
  int line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    auto nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos
                                                                            : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    auto words = SplitWords(line);
    if (words.empty()) continue;
    auto fail = [&](const std::string& why) {
      return Status::InvalidArgument("pg_hba line " + std::to_string(line_no) + ": " + why);
    };
    if (cfg.rules_.size() >= kHbaMaxRules) return fail("more than 10000 rules");
    HbaRule r;
    r.line = line_no;
    const std::string& type = words[0];
    if (type == "local") return fail("connection type \"local\" is not supported (TCP only)");
    if (type == "hostssl") {
      r.ssl_only = true;
    } else if (type == "hostgssenc") {
      r.ssl_only = true;  // no GSS encryption either: never matches
    } else if (type != "host" && type != "hostnossl") {
      return fail("invalid connection type \"" + type + "\"");
    }
    if (words.size() < 5) {
      return fail("expected TYPE DATABASE USER ADDRESS METHOD, got " +
                  std::to_string(words.size()) + " fields");
    }
    for (const auto& d : SplitComma(words[1])) {
      if (d.empty()) return fail("empty database name in \"" + words[1] + "\"");
      if (d == "all") r.all_databases = true;
      else if (d == "sameuser") r.same_user = true;
      else r.databases.push_back(d);
    }
    for (const auto& u : SplitComma(words[2])) {
      if (u.empty()) return fail("empty user name in \"" + words[2] + "\"");
      if (u == "all") r.all_users = true;
      else r.users.push_back(u);
    }
    size_t method_at = 4;
    const std::string& addr = words[3];
    if (addr == "all") {
      r.all_addresses = true;
    } else {
      auto slash = addr.find('/');
      std::string ip = addr.substr(0, slash);
      if (!ParseIp(ip, &r.address, &r.v6)) return fail("invalid IP address \"" + ip + "\"");
      int max_bits = r.v6 ? 128 : 32;
      if (slash != std::string::npos) {
        std::string bits = addr.substr(slash + 1);
        if (bits.empty() || bits.size() > 3 ||
            bits.find_first_not_of("0123456789") != std::string::npos) {
          return fail("invalid CIDR mask in address \"" + addr + "\"");
        }
        r.prefix_bits = std::stoi(bits);
        if (r.prefix_bits > max_bits) return fail("invalid CIDR mask in address \"" + addr + "\"");
      } else {
        // Address then netmask, as pg_hba allows.
        if (words.size() < 6) return fail("IP address \"" + addr + "\" needs a /mask or a netmask");
        std::array<uint8_t, 16> mask{};
        bool mask_v6 = false;
        if (!ParseIp(words[4], &mask, &mask_v6) || mask_v6 != r.v6) {
          return fail("invalid IP mask \"" + words[4] + "\"");
        }
        r.prefix_bits = MaskBits(mask, r.v6 ? 16 : 4);
        if (r.prefix_bits < 0) return fail("invalid IP mask \"" + words[4] + "\"");
        method_at = 5;
      }
    }
    if (!ParseMethod(words[method_at], &r.method)) {
      return fail("invalid authentication method \"" + words[method_at] + "\"");
    }
    if (words.size() > method_at + 1) {
      return fail("authentication options are not supported (\"" + words[method_at + 1] + "\")");
    }
    cfg.rules_.push_back(std::move(r));
  }
  return cfg;
}

HbaConfig HbaConfig::AllowAll(AuthMethod method) {
  HbaConfig cfg;
  HbaRule r;
  r.all_databases = r.all_users = r.all_addresses = true;
  r.method = method;
  cfg.rules_.push_back(r);
  return cfg;
}

const HbaRule* HbaConfig::Match(std::string_view database, std::string_view user,
                                std::string_view peer_address) const {
  std::array<uint8_t, 16> peer{};
  bool peer_v6 = false;
  bool peer_ok = ParseIp(peer_address, &peer, &peer_v6);
  for (const auto& r : rules_) {
    if (r.ssl_only) continue;
    bool db_ok = r.all_databases || (r.same_user && database == user);
    for (const auto& d : r.databases) db_ok = db_ok || d == database;
    if (!db_ok) continue;
    bool user_ok = r.all_users;
    for (const auto& u : r.users) user_ok = user_ok || u == user;
    if (!user_ok) continue;
    if (!r.all_addresses) {
      if (!peer_ok || peer_v6 != r.v6) continue;
      int bits = r.prefix_bits;
      bool in = true;
      for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
        uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
        if ((peer[i] & mask) != (r.address[i] & mask)) {
          in = false;
          break;
        }
      }
      if (!in) continue;
    }
    return &r;
  }
  return nullptr;
}

}  // namespace nordlys::pgwire
