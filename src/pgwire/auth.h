// Password authentication for the PostgreSQL protocol: PostgreSQL's md5 scheme, SCRAM-SHA-256
// (RFC 5802 / RFC 7677, without channel binding, as PostgreSQL does over plain TCP), and the
// stored verifier forms of pg_authid.rolpassword. Crypto is OpenSSL's.
//
// Thread safety: free functions are thread-safe; a ScramServer belongs to one connection.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace nordlys::pgwire {

std::string Base64Encode(std::string_view bytes);
// Strict: only the standard alphabet with '=' padding; length a multiple of 4.
Result<std::string> Base64Decode(std::string_view text);
// `n` cryptographically random bytes (OpenSSL RAND_bytes).
Result<std::string> RandomBytes(size_t n);

// ---- md5: "md5" + hex(md5(password || user)); on the wire "md5" + hex(md5(hex_part || salt)).
std::string Md5Hex(std::string_view data);
std::string Md5Verifier(std::string_view user, std::string_view password);
// Checks a client's PasswordMessage answer to AuthenticationMD5Password. `verifier` is the
// stored form: plain password or md5 verifier (a SCRAM verifier cannot answer md5).
bool CheckMd5Response(std::string_view verifier, std::string_view user, std::string_view salt4,
                      std::string_view response);
// Checks a cleartext password against any stored form.
bool CheckCleartextPassword(std::string_view verifier, std::string_view user,
                            std::string_view password);

// ---- SCRAM-SHA-256
struct ScramVerifier {
  int iterations = 0;
  std::string salt;        // raw bytes
  std::string stored_key;  // raw 32 bytes: SHA-256(ClientKey)
  std::string server_key;  // raw 32 bytes
};
inline constexpr int kScramDefaultIterations = 4096;
inline constexpr int kScramMaxIterations = 10'000'000;  // bound on work a stored verifier asks for

ScramVerifier MakeScramVerifier(std::string_view password, std::string_view salt,
                                int iterations);
// "SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>"
std::string EncodeScramVerifier(const ScramVerifier& v);
Result<ScramVerifier> ParseScramVerifier(std::string_view text);
bool IsScramVerifier(std::string_view text);
bool IsMd5Verifier(std::string_view text);

// The server side of one SCRAM-SHA-256 exchange.
//   client-first  -> HandleClientFirst -> server-first
//   client-final  -> HandleClientFinal -> server-final ("v=...") when the proof is right
// When the user is unknown, construct with a mock verifier (MockScramVerifier) so the exchange
// looks the same and fails only at the proof, as PostgreSQL does.
class ScramServer {
 public:
  ScramServer(ScramVerifier verifier, std::string server_nonce_printable);
  Result<std::string> HandleClientFirst(std::string_view message);
  // Status 28P01 when the proof is wrong; 08P01 when the message is malformed.
  Result<std::string> HandleClientFinal(std::string_view message);

 private:
  ScramVerifier verifier_;
  std::string server_nonce_;
  std::string client_first_bare_;
  std::string server_first_;
  std::string nonce_;        // client + server nonce
  std::string gs2_header_;
  bool got_first_ = false;
};

// A deterministic fake verifier for a user that does not exist (salt derived from the name).
ScramVerifier MockScramVerifier(std::string_view user);

}  // namespace nordlys::pgwire
