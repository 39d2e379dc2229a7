// md5 and SCRAM-SHA-256 authentication; see auth.h.
#include "pgwire/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstring>
#include <vector>

namespace nordlys::pgwire {

namespace {

Status ProtocolError(std::string m) {
  return Status::Sql(StatusCode::kInvalidArgument, "08P01", std::move(m));
}

Status AuthFailed(std::string m) {
  return Status::Sql(StatusCode::kInvalidArgument, "28P01", std::move(m));
}

std::string Sha256(std::string_view data) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out);
  return std::string(reinterpret_cast<char*>(out), sizeof(out));
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string Hex(const unsigned char* p, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[p[i] >> 4]);
    out.push_back(kDigits[p[i] & 15]);
  }
  return out;
}

// "name=value" attribute at the front of `s`, advancing past a following ','.
bool TakeAttr(std::string_view* s, char name, std::string_view* value) {
  if (s->size() < 2 || (*s)[0] != name || (*s)[1] != '=') return false;
  auto comma = s->find(',');
  *value = s->substr(2, comma == std::string_view::npos ? std::string_view::npos : comma - 2);
  s->remove_prefix(comma == std::string_view::npos ? s->size() : comma + 1);
  return true;
}

}  // namespace

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return Status::InvalidArgument("base64 length not a multiple of 4");
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/' || (c == '=' && i + 2 >= text.size());
    if (!ok) return Status::InvalidArgument("invalid base64 character");
  }
  std::string out(3 * (text.size() / 4) + 1, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return Status::InvalidArgument("invalid base64");
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') pad++;
  if (text.size() >= 2 && text[text.size() - 2] == '=') pad++;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

Result<std::string> RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    return Status::Internal("RAND_bytes failed");
  }
  return out;
}

std::string Md5Hex(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, EVP_md5(), nullptr);
  return Hex(out, len);
}

std::string Md5Verifier(std::string_view user, std::string_view password) {
  std::string in(password);
  in += user;
  return "md5" + Md5Hex(in);
}

bool IsMd5Verifier(std::string_view text) {
  if (text.size() != 35 || text.substr(0, 3) != "md5") return false;
  for (char c : text.substr(3)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool IsScramVerifier(std::string_view text) { return ParseScramVerifier(text).ok(); }

bool CheckMd5Response(std::string_view verifier, std::string_view user, std::string_view salt4,
                      std::string_view response) {
  if (IsScramVerifier(verifier)) return false;
  std::string stored = IsMd5Verifier(verifier) ? std::string(verifier) : Md5Verifier(user, verifier);
  std::string in = stored.substr(3);
  in += salt4;
  return ConstantTimeEqual("md5" + Md5Hex(in), response);
}

bool CheckCleartextPassword(std::string_view verifier, std::string_view user,
                            std::string_view password) {
  if (auto v = ParseScramVerifier(verifier); v.ok()) {
    ScramVerifier mine = MakeScramVerifier(password, v->salt, v->iterations);
    return ConstantTimeEqual(mine.stored_key, v->stored_key) &&
           ConstantTimeEqual(mine.server_key, v->server_key);
  }
  if (IsMd5Verifier(verifier)) return ConstantTimeEqual(Md5Verifier(user, password), verifier);
  return ConstantTimeEqual(verifier, password);
}

ScramVerifier MakeScramVerifier(std::string_view password, std::string_view salt,
                                int iterations) {
  unsigned char salted[SHA256_DIGEST_LENGTH];
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                    reinterpret_cast<const unsigned char*>(salt.data()),
                    static_cast<int>(salt.size()), iterations, EVP_sha256(), sizeof(salted),
                    salted);
  std::string salted_password(reinterpret_cast<char*>(salted), sizeof(salted));
  ScramVerifier v;
  v.iterations = iterations;
  v.salt = std::string(salt);
  v.stored_key = Sha256(HmacSha256(salted_password, "Client Key"));
  v.server_key = HmacSha256(salted_password, "Server Key");
  return v;
}

std::string EncodeScramVerifier(const ScramVerifier& v) {
  return "SCRAM-SHA-256$" + std::to_string(v.iterations) + ":" + Base64Encode(v.salt) + "$" +
         Base64Encode(v.stored_key) + ":" + Base64Encode(v.server_key);
}

Result<ScramVerifier> ParseScramVerifier(std::string_view text) {
  constexpr std::string_view kPrefix = "SCRAM-SHA-256$";
  if (text.substr(0, kPrefix.size()) != kPrefix) {
    return Status::InvalidArgument("not a SCRAM-SHA-256 verifier");
  }
  text.remove_prefix(kPrefix.size());
  auto colon1 = text.find(':');
  auto dollar = text.find('$');
  if (colon1 == std::string_view::npos || dollar == std::string_view::npos || dollar < colon1) {
    return Status::InvalidArgument("malformed SCRAM-SHA-256 verifier");
  }
  auto colon2 = text.find(':', dollar);
  if (colon2 == std::string_view::npos) {
    return Status::InvalidArgument("malformed SCRAM-SHA-256 verifier");
  }
  ScramVerifier v;
  std::string_view iter = text.substr(0, colon1);
  if (iter.empty() || iter.size() > 9) return Status::InvalidArgument("bad SCRAM iteration count");
  for (char c : iter) {
    if (c < '0' || c > '9') return Status::InvalidArgument("bad SCRAM iteration count");
    v.iterations = v.iterations * 10 + (c - '0');
  }
  if (v.iterations < 1 || v.iterations > kScramMaxIterations) {
    return Status::InvalidArgument("SCRAM iteration count out of range");
  }
  NORDLYS_ASSIGN_OR_RETURN(v.salt, Base64Decode(text.substr(colon1 + 1, dollar - colon1 - 1)));
  NORDLYS_ASSIGN_OR_RETURN(v.stored_key, Base64Decode(text.substr(dollar + 1, colon2 - dollar - 1)));
  NORDLYS_ASSIGN_OR_RETURN(v.server_key, Base64Decode(text.substr(colon2 + 1)));
  if (v.stored_key.size() != SHA256_DIGEST_LENGTH || v.server_key.size() != SHA256_DIGEST_LENGTH) {
    return Status::InvalidArgument("SCRAM keys must be 32 bytes");
  }
  return v;
}

ScramVerifier MockScramVerifier(std::string_view user) {
  // Not a secret: it only has to look like a real verifier and never match.
  std::string salt = Sha256("nordlys-mock-salt:" + std::string(user)).substr(0, 16);
  ScramVerifier v;
  v.iterations = kScramDefaultIterations;
  v.salt = salt;
  v.stored_key = Sha256("nordlys-mock-stored:" + std::string(user));
  v.server_key = Sha256("nordlys-mock-server:" + std::string(user));
  return v;
}

ScramServer::ScramServer(ScramVerifier verifier, std::string server_nonce_printable)
    : verifier_(std::move(verifier)), server_nonce_(std::move(server_nonce_printable)) {}

Result<std::string> ScramServer::HandleClientFirst(std::string_view message) {
  if (got_first_) return ProtocolError("unexpected SCRAM client-first-message");
  got_first_ = true;
  // gs2-header: "n,," (no channel binding) or "y,," (client could, thinks we cannot). "p=" asks
  // for channel binding, which we did not offer.
  std::string_view m = message;
  if (m.size() < 3) return ProtocolError("malformed SCRAM message (too short)");
  if (m[0] == 'p') {
    return ProtocolError("channel binding is not supported (SCRAM-SHA-256-PLUS was not offered)");
  }
  if ((m[0] != 'n' && m[0] != 'y') || m[1] != ',') {
    return ProtocolError("malformed SCRAM message (unexpected gs2 header)");
  }
  m.remove_prefix(2);
  if (m.empty()) return ProtocolError("malformed SCRAM message");
  if (m[0] == 'a') return ProtocolError("client uses authorization identity, which is not supported");
  if (m[0] != ',') return ProtocolError("malformed SCRAM message (gs2 header)");
  m.remove_prefix(1);
  gs2_header_ = std::string(message.substr(0, message.size() - m.size()));
  client_first_bare_ = std::string(m);
  std::string_view user, cnonce;
  if (!TakeAttr(&m, 'n', &user)) return ProtocolError("malformed SCRAM message (no user name)");
  if (!TakeAttr(&m, 'r', &cnonce) || cnonce.empty()) {
    return ProtocolError("malformed SCRAM message (no nonce)");
  }
  for (char c : cnonce) {
    if (c < 0x21 || c > 0x7e || c == ',') return ProtocolError("SCRAM nonce is not printable");
  }
  // PostgreSQL ignores the user name here (it has the startup packet's) and so do we.
  nonce_ = std::string(cnonce) + server_nonce_;
  server_first_ = "r=" + nonce_ + ",s=" + Base64Encode(verifier_.salt) +
                  ",i=" + std::to_string(verifier_.iterations);
  return server_first_;
}

Result<std::string> ScramServer::HandleClientFinal(std::string_view message) {
  if (!got_first_ || server_first_.empty()) return ProtocolError("unexpected SCRAM message");
  std::string_view m = message;
  std::string_view cbind, nonce, proof_b64;
  if (!TakeAttr(&m, 'c', &cbind)) return ProtocolError("malformed SCRAM message (no c=)");
  auto cb = Base64Decode(cbind);
  if (!cb.ok() || *cb != gs2_header_) {
    return ProtocolError("SCRAM channel binding check failed");
  }
  if (!TakeAttr(&m, 'r', &nonce)) return ProtocolError("malformed SCRAM message (no r=)");
  if (nonce != nonce_) return ProtocolError("SCRAM nonce does not match");
  // Skip extensions up to p=.
  while (!m.empty() && !(m.size() >= 2 && m[0] == 'p' && m[1] == '=')) {
    auto comma = m.find(',');
    if (comma == std::string_view::npos) return ProtocolError("malformed SCRAM message (no proof)");
    m.remove_prefix(comma + 1);
  }
  size_t without_proof_len = message.size() - m.size();
  if (without_proof_len == 0 || message[without_proof_len - 1] != ',') {
    return ProtocolError("malformed SCRAM message (no proof)");
  }
  if (!TakeAttr(&m, 'p', &proof_b64) || !m.empty()) {
    return ProtocolError("malformed SCRAM message (proof)");
  }
  auto proof = Base64Decode(proof_b64);
  if (!proof.ok() || proof->size() != SHA256_DIGEST_LENGTH) {
    return ProtocolError("malformed SCRAM proof");
  }
  std::string auth_message = client_first_bare_ + "," + server_first_ + "," +
                             std::string(message.substr(0, without_proof_len - 1));
  std::string client_signature = HmacSha256(verifier_.stored_key, auth_message);
  std::string client_key(SHA256_DIGEST_LENGTH, '\0');
  for (size_t i = 0; i < client_key.size(); ++i) client_key[i] = (*proof)[i] ^ client_signature[i];
  if (!ConstantTimeEqual(Sha256(client_key), verifier_.stored_key)) {
    return AuthFailed("SCRAM proof does not match");
  }
  return "v=" + Base64Encode(HmacSha256(verifier_.server_key, auth_message));
}

}  // namespace nordlys::pgwire
