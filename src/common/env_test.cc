// The same contract tests run against the real disk and the in-memory one; then MemEnv's fault
// injection is checked on its own.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "common/env.h"
#include "common/mem_env.h"

namespace nordlys {
namespace {

class EnvContractTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam()) {
      env_ = Env::Default();
      dir_ = (std::filesystem::temp_directory_path() /
              ("nordlys_env_test_" + std::to_string(::getpid())))
                 .string();
    } else {
      mem_ = std::make_unique<MemEnv>(7);
      env_ = mem_.get();
      dir_ = "/mem/envtest";
    }
    ASSERT_TRUE(env_->DeleteDirRecursive(dir_).ok());
    ASSERT_TRUE(env_->CreateDirs(dir_).ok());
  }
  void TearDown() override { (void)env_->DeleteDirRecursive(dir_); }

  std::unique_ptr<MemEnv> mem_;
  Env* env_ = nullptr;
  std::string dir_;
};

TEST_P(EnvContractTest, AppendSyncReadBack) {
  std::string path = dir_ + "/log";
  auto f = env_->NewAppendableFile(path);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_TRUE((*f)->Append("hello ").ok());
  ASSERT_TRUE((*f)->Append("world").ok());
  ASSERT_TRUE((*f)->Sync().ok());
  EXPECT_EQ((*f)->Size(), 11u);
  ASSERT_TRUE((*f)->Close().ok());

  std::string got;
  ASSERT_TRUE(env_->ReadFileToString(path, &got).ok());
  EXPECT_EQ(got, "hello world");
  auto r = env_->NewRandomAccessFile(path);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE((*r)->Read(6, 100, &got).ok());
  EXPECT_EQ(got, "world");
  EXPECT_EQ(env_->FileSize(path).value(), 11u);

  // Reopening appends rather than truncating.
  auto again = env_->NewAppendableFile(path);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->Size(), 11u);
}

TEST_P(EnvContractTest, AtomicWriteRenameListTruncate) {
  ASSERT_TRUE(env_->WriteFileAtomic(dir_ + "/meta", "v1").ok());
  ASSERT_TRUE(env_->WriteFileAtomic(dir_ + "/meta", "v2").ok());
  std::string got;
  ASSERT_TRUE(env_->ReadFileToString(dir_ + "/meta", &got).ok());
  EXPECT_EQ(got, "v2");
  ASSERT_TRUE(env_->RenameFile(dir_ + "/meta", dir_ + "/meta2").ok());
  EXPECT_FALSE(env_->FileExists(dir_ + "/meta"));
  auto names = env_->ListDir(dir_);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, std::vector<std::string>{"meta2"});
  ASSERT_TRUE(env_->TruncateFile(dir_ + "/meta2", 1).ok());
  ASSERT_TRUE(env_->ReadFileToString(dir_ + "/meta2", &got).ok());
  EXPECT_EQ(got, "v");
  EXPECT_TRUE(env_->ReadFileToString(dir_ + "/missing", &got).IsNotFound());
}

TEST_P(EnvContractTest, AppendsOverwriteZerosWrittenAhead) {
  std::string path = dir_ + "/log";
  auto f = env_->NewAppendableFile(path);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append("head").ok());
  ASSERT_TRUE((*f)->ZeroAhead(100).ok());
  EXPECT_EQ((*f)->Size(), 4u);
  EXPECT_EQ(env_->FileSize(path).value(), 104u);
  ASSERT_TRUE((*f)->Append("tail").ok());
  EXPECT_EQ((*f)->Size(), 8u);
  EXPECT_EQ(env_->FileSize(path).value(), 104u) << "an append over zeros grew the file";
  ASSERT_TRUE((*f)->ZeroAhead(100).ok());  // 96 zeros left, more than half: nothing to do
  EXPECT_EQ(env_->FileSize(path).value(), 104u);
  ASSERT_TRUE((*f)->Append(std::string(60, 'x')).ok());
  ASSERT_TRUE((*f)->ZeroAhead(100).ok());  // 36 left: topped up to Size() + 100
  EXPECT_EQ(env_->FileSize(path).value(), 168u);
  ASSERT_TRUE((*f)->Append(std::string(200, 'y')).ok());  // past the zeros: grows again
  ASSERT_TRUE((*f)->Sync().ok());
  std::string got;
  ASSERT_TRUE(env_->ReadFileToString(path, &got).ok());
  EXPECT_EQ(got, "headtail" + std::string(60, 'x') + std::string(200, 'y'));
}

// ZeroAhead on another thread, as the storage node's background thread runs it, must never
// write zeros over an append.
TEST_P(EnvContractTest, ZeroAheadBesideAppendsNeverLosesAByte) {
  std::string path = dir_ + "/log";
  auto f = env_->NewAppendableFile(path);
  ASSERT_TRUE(f.ok());
  WritableFile* file = f->get();
  std::atomic<bool> done{false};
  std::thread zeroer([&] {
    while (!done) ASSERT_TRUE(file->ZeroAhead(4096).ok());
  });
  std::string want;
  for (int i = 0; i < 3000; ++i) {
    std::string chunk = std::to_string(i) + std::string(static_cast<size_t>(i % 97), 'a' + i % 26);
    ASSERT_TRUE(file->Append(chunk).ok());
    want += chunk;
  }
  done = true;
  zeroer.join();
  ASSERT_TRUE(file->Sync().ok());
  std::string got;
  ASSERT_TRUE(env_->ReadFileToString(path, &got).ok());
  ASSERT_GE(got.size(), want.size());
  EXPECT_TRUE(got.compare(0, want.size(), want) == 0) << "zeros landed on appended bytes";
  EXPECT_EQ(got.find_first_not_of('\0', want.size()), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(PosixAndMem, EnvContractTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Posix" : "Mem"; });

TEST(MemEnvTest, CrashLosesOnlyUnsyncedBytes) {
  MemEnv env(1);
  ASSERT_TRUE(env.CreateDirs("/d").ok());
  auto f = env.NewAppendableFile("/d/log");
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append("durable").ok());
  ASSERT_TRUE((*f)->Sync().ok());
  ASSERT_TRUE((*f)->Append("-lost").ok());
  env.Crash();
  std::string got;
  ASSERT_TRUE(env.ReadFileToString("/d/log", &got).ok());
  EXPECT_EQ(got, "durable");
}

TEST(MemEnvTest, CrashBringsBackTheZerosUnderUnsyncedAppends) {
  MemEnv env(1);
  ASSERT_TRUE(env.CreateDirs("/d").ok());
  auto f = env.NewAppendableFile("/d/log");
  ASSERT_TRUE((*f)->Append("durable").ok());
  ASSERT_TRUE((*f)->Sync().ok());
  ASSERT_TRUE((*f)->ZeroAhead(16).ok());
  ASSERT_TRUE((*f)->Append("-lost").ok());
  env.Crash();
  std::string got;
  ASSERT_TRUE(env.ReadFileToString("/d/log", &got).ok());
  EXPECT_EQ(got, "durable" + std::string(16, '\0'));
}

TEST(MemEnvTest, TornTailKeepsSyncedPrefix) {
  for (uint64_t seed = 1; seed < 20; ++seed) {
    MemEnv env(seed);
    ASSERT_TRUE(env.CreateDirs("/d").ok());
    auto f = env.NewAppendableFile("/d/log");
    ASSERT_TRUE((*f)->Append("AAAA").ok());
    ASSERT_TRUE((*f)->Sync().ok());
    ASSERT_TRUE((*f)->Append("BBBBBBBB").ok());
    env.Crash(/*torn_tail=*/true);
    std::string got;
    ASSERT_TRUE(env.ReadFileToString("/d/log", &got).ok());
    ASSERT_GE(got.size(), 4u);
    ASSERT_LE(got.size(), 12u);
    EXPECT_EQ(got.substr(0, 4), "AAAA");
  }
}

TEST(MemEnvTest, FaultsAreInjected) {
  MemEnv env(1);
  ASSERT_TRUE(env.CreateDirs("/d").ok());
  auto f = env.NewAppendableFile("/d/log");
  env.SetSpaceLimitBytes(4);
  EXPECT_EQ((*f)->Append("12345").code(), StatusCode::kResourceExhausted);
  env.SetSpaceLimitBytes(0);
  env.FailNextWrites(1);
  EXPECT_EQ((*f)->Append("x").code(), StatusCode::kIoError);
  ASSERT_TRUE((*f)->Append("x").ok());
  ASSERT_TRUE(env.FlipBit("/d/log", 0, 0));
  std::string got;
  ASSERT_TRUE(env.ReadFileToString("/d/log", &got).ok());
  EXPECT_EQ(got, "y");
  uint64_t t0 = env.NowMicros();
  env.SleepForMicros(500);
  EXPECT_EQ(env.NowMicros(), t0 + 500);
}

TEST(RandomTest, SameSeedSameSequence) {
  Random a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    differs |= (x != c.Next());
  }
  EXPECT_TRUE(differs);
}

}  // namespace
}  // namespace nordlys
