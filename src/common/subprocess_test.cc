#include "common/subprocess.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace nordlys {
namespace {

std::string TempFile(const std::string& content) {
  std::string path = (std::filesystem::temp_directory_path() /
                      ("nordlys_tail_" + std::to_string(::getpid())))
                         .string();
  std::ofstream(path) << content;
  return path;
}

TEST(TailOfFileTest, LastLines) {
  std::string path = TempFile("one\ntwo\nthree\nfour\n");
  EXPECT_EQ(TailOfFile(path, 2), "three\nfour\n");
  EXPECT_EQ(TailOfFile(path, 10), "one\ntwo\nthree\nfour\n");
  std::ofstream(path) << "no newline at end\nlast";
  EXPECT_EQ(TailOfFile(path, 1), "last");
  EXPECT_EQ(TailOfFile("/nonexistent/file", 3), "");
  std::filesystem::remove(path);
}

TEST(SubprocessTest, RunsWaitsAndReportsExitCodes) {
  std::string log = TempFile("");
  Subprocess ok;
  ASSERT_TRUE(ok.Start({"/bin/sh", "-c", "echo hello; exit 3"}, log).ok());
  auto rc = ok.Wait(5000);
  ASSERT_TRUE(rc.ok());
  EXPECT_EQ(*rc, 3);
  EXPECT_NE(TailOfFile(log, 5).find("hello"), std::string::npos);
  Subprocess sleeper;
  ASSERT_TRUE(sleeper.Start({"/bin/sleep", "30"}, log).ok());
  EXPECT_TRUE(sleeper.running());
  EXPECT_EQ(sleeper.Wait(50).status().code(), StatusCode::kTimeout);
  sleeper.Kill();
  EXPECT_FALSE(sleeper.running());
  std::filesystem::remove(log);
}

}  // namespace
}  // namespace nordlys
