// SCRAM-SHA-256 against RFC 7677's test vector, PostgreSQL's md5 scheme, verifier parsing, and
// pg_hba rule parsing and matching.
#include "pgwire/auth.h"

#include <gtest/gtest.h>

#include "pgwire/hba.h"

namespace nordlys::pgwire {
namespace {

// RFC 7677 section 3: user "user", password "pencil".
constexpr char kClientFirst[] = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
constexpr char kServerNonce[] = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
constexpr char kServerFirst[] =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
constexpr char kClientFinal[] =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
constexpr char kServerFinal[] = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

ScramVerifier Rfc7677Verifier() {
  return MakeScramVerifier("pencil", Base64Decode("W22ZaJ0SNY7soEsUEjb6gQ==").value(), 4096);
}

TEST(ScramTest, Rfc7677TestVector) {
  ScramServer s(Rfc7677Verifier(), kServerNonce);
  auto first = s.HandleClientFirst(kClientFirst);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, kServerFirst);
  auto fin = s.HandleClientFinal(kClientFinal);
  ASSERT_TRUE(fin.ok()) << fin.status().ToString();
  EXPECT_EQ(*fin, kServerFinal);
}

TEST(ScramTest, WrongPasswordFailsWith28P01) {
  ScramServer s(MakeScramVerifier("not pencil", Base64Decode("W22ZaJ0SNY7soEsUEjb6gQ==").value(),
                                  4096),
                kServerNonce);
  ASSERT_TRUE(s.HandleClientFirst(kClientFirst).ok());
  auto fin = s.HandleClientFinal(kClientFinal);
  ASSERT_FALSE(fin.ok());
  EXPECT_EQ(fin.status().sqlstate(), "28P01");
}

TEST(ScramTest, MalformedMessagesAre08P01NotCrashes) {
  for (const char* bad : {"", "x", "p=tls-server-end-point,,n=,r=a", "n,,", "n,,n=u", "n,a=x,n=u,r=a",
                          "n,,n=u,r="}) {
    ScramServer s(Rfc7677Verifier(), kServerNonce);
    auto r = s.HandleClientFirst(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().sqlstate(), "08P01") << bad;
  }
  ScramServer s(Rfc7677Verifier(), kServerNonce);
  ASSERT_TRUE(s.HandleClientFirst(kClientFirst).ok());
  for (const char* bad : {"", "c=biws", "c=biws,r=wrong,p=AAAA", "c=eSws,r=x,p=AA==",
                          "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=!!"}) {
    auto r = s.HandleClientFinal(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().sqlstate(), "08P01") << bad;
  }
}

TEST(ScramTest, VerifierRoundTripAndCleartextCheck) {
  ScramVerifier v = Rfc7677Verifier();
  std::string text = EncodeScramVerifier(v);
  EXPECT_EQ(text.rfind("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$", 0), 0u) << text;
  auto back = ParseScramVerifier(text);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->stored_key, v.stored_key);
  EXPECT_EQ(back->server_key, v.server_key);
  EXPECT_TRUE(CheckCleartextPassword(text, "user", "pencil"));
  EXPECT_FALSE(CheckCleartextPassword(text, "user", "pen"));
  for (const char* bad : {"SCRAM-SHA-256$", "SCRAM-SHA-256$0:AA==$AA==:AA==",
                          "SCRAM-SHA-256$4096:AA==$AA==:AA==", "SCRAM-SHA-256$99999999999:x$y:z"}) {
    EXPECT_FALSE(ParseScramVerifier(bad).ok()) << bad;
  }
}

TEST(Md5AuthTest, PostgresScheme) {
  // md5(password || user), then md5(that hex || salt): values from an independent md5.
  EXPECT_EQ(Md5Verifier("postgres", "postgres"), "md53175bce1d3201d16594cebf9d7eb3f9d");
  std::string salt("\x01\x02\x03\x04", 4);
  const char* want = "md568be9ed08db75f318087ab337aaea044";
  EXPECT_TRUE(CheckMd5Response("md53175bce1d3201d16594cebf9d7eb3f9d", "postgres", salt, want));
  EXPECT_TRUE(CheckMd5Response("postgres", "postgres", salt, want));  // plain stored password
  EXPECT_FALSE(CheckMd5Response("postgres", "postgres", std::string("\x01\x02\x03\x05", 4), want));
  EXPECT_FALSE(CheckMd5Response(EncodeScramVerifier(Rfc7677Verifier()), "user", salt, want));
  EXPECT_TRUE(CheckCleartextPassword("md53175bce1d3201d16594cebf9d7eb3f9d", "postgres", "postgres"));
  EXPECT_FALSE(CheckCleartextPassword("md53175bce1d3201d16594cebf9d7eb3f9d", "postgres", "x"));
}

TEST(HbaTest, ParsesAndMatchesFirstRule) {
  auto cfg = HbaConfig::Parse(
      "# comment\n"
      "\n"
      "host    app,sales  alice   10.0.0.0/8     md5   # trailing\n"
      "hostssl all        all     0.0.0.0/0      trust\n"
      "host    sameuser   all     127.0.0.1/32   scram-sha-256\n"
      "host    all        bob     192.168.1.0    255.255.255.0  password\n"
      "host    all        all     ::1/128        trust\n"
      "host    all        all     all            reject\n");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  ASSERT_EQ(cfg->rules().size(), 6u);
  auto method = [&](const char* db, const char* user, const char* addr) {
    const HbaRule* r = cfg->Match(db, user, addr);
    return r == nullptr ? std::string("none") : std::string(AuthMethodName(r->method));
  };
  EXPECT_EQ(method("app", "alice", "10.1.2.3"), "md5");
  EXPECT_EQ(method("other", "alice", "10.1.2.3"), "reject");  // hostssl never matches
  EXPECT_EQ(method("carol", "carol", "127.0.0.1"), "scram-sha-256");
  EXPECT_EQ(method("x", "carol", "127.0.0.1"), "reject");
  EXPECT_EQ(method("x", "bob", "192.168.1.77"), "password");
  EXPECT_EQ(method("x", "bob", "192.168.2.77"), "reject");
  EXPECT_EQ(method("x", "y", "::1"), "trust");
  EXPECT_EQ(method("app", "alice", "::ffff:10.9.9.9"), "md5");  // v4-mapped counts as v4
  auto none = HbaConfig::Parse("host app alice 10.0.0.0/8 md5\n");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->Match("app", "alice", "11.0.0.1"), nullptr);
}

TEST(HbaTest, ClearErrorsNameTheLine) {
  struct Case {
    const char* text;
    const char* want;
  };
  for (const Case& c : {
           Case{"host all all 127.0.0.1/32 md6\n", "line 1: invalid authentication method \"md6\""},
           Case{"\nlocal all all trust\n", "line 2: connection type \"local\""},
           Case{"hots all all all trust", "invalid connection type \"hots\""},
           Case{"host all all 127.0.0.1/33 trust", "invalid CIDR mask"},
           Case{"host all all 300.0.0.1/8 trust", "invalid IP address \"300.0.0.1\""},
           Case{"host all all", "expected TYPE DATABASE USER ADDRESS METHOD"},
           Case{"host all all 10.0.0.0 255.0.255.0 trust", "invalid IP mask"},
           Case{"host all all all trust clientcert=1", "options are not supported"},
           Case{"host ,x all all trust", "empty database name"},
       }) {
    auto r = HbaConfig::Parse(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.status().message().find(c.want), std::string::npos) << r.status().message();
  }
}

}  // namespace
}  // namespace nordlys::pgwire
