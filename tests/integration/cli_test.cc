// The nordlys binary's command line, run as a real process.
#include <gtest/gtest.h>

#include "harness.h"

namespace nordlys::testing {
namespace {

TEST(CliTest, HelpListsEverySubcommand) {
  std::string out;
  ASSERT_EQ(Harness::Run({"--help"}, &out), 0) << out;
  for (const char* cmd : {"storage", "instance", "control", "up", "version", "help"}) {
    EXPECT_NE(out.find(cmd), std::string::npos) << cmd << " missing from:\n" << out;
  }
  ASSERT_EQ(Harness::Run({"help"}, &out), 0);
  EXPECT_NE(out.find("storage"), std::string::npos);
}

TEST(CliTest, VersionPrints) {
  std::string out;
  ASSERT_EQ(Harness::Run({"version"}, &out), 0);
  EXPECT_NE(out.find("nordlys 0."), std::string::npos) << out;
}

TEST(CliTest, UnknownCommandAndBadFlagsExitTwoWithAMessage) {
  std::string out;
  EXPECT_EQ(Harness::Run({"frobnicate"}, &out), 2);
  EXPECT_NE(out.find("unknown command 'frobnicate'"), std::string::npos) << out;
  EXPECT_EQ(Harness::Run({"--no-such-flag"}, &out), 2);
  EXPECT_EQ(Harness::Run({"storage", "--data-dir", "/tmp/x", "--az", "a", "--bogus"}, &out), 2);
  EXPECT_NE(out.find("--bogus"), std::string::npos) << out;
  EXPECT_EQ(Harness::Run({"storage", "--az", "a"}, &out), 2);  // --data-dir missing
  EXPECT_NE(out.find("--data-dir"), std::string::npos) << out;
  EXPECT_EQ(Harness::Run({"storage", "--data-dir", "/tmp/x", "--az", "a", "--listen", "nope"},
                         &out),
            2);
  EXPECT_NE(out.find("HOST:PORT"), std::string::npos) << out;
  EXPECT_EQ(Harness::Run({"storage", "--data-dir", "/tmp/x", "--az", "a", "--log-level", "loud"},
                         &out),
            2);
}

TEST(CliTest, UnbuiltCommandsSaySoHonestly) {
  std::string out;
  EXPECT_EQ(Harness::Run({"control"}, &out), 1);
  EXPECT_NE(out.find("not available yet"), std::string::npos) << out;
  EXPECT_EQ(Harness::Run({"instance", "--role", "reader", "--storage", "a=127.0.0.1:1"}, &out), 2);
  EXPECT_NE(out.find("only writer instances"), std::string::npos) << out;
}

TEST(CliTest, InstanceRejectsBadStorageLists) {
  std::string out;
  EXPECT_EQ(Harness::Run({"instance"}, &out), 2);  // --storage is required
  EXPECT_EQ(Harness::Run({"instance", "--storage", "az-a"}, &out), 2);
  EXPECT_NE(out.find("AZ=HOST:PORT"), std::string::npos) << out;
  EXPECT_EQ(Harness::Run({"instance", "--storage", "a=x:1,b=y:2"}, &out), 1);  // not 3 AZs
}

}  // namespace
}  // namespace nordlys::testing
