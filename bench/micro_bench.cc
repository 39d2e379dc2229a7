// Micro-benchmarks of the hot pure functions: checksums, redo encode/decode, redo apply.
// Figures only; nothing here is asserted.
#include <benchmark/benchmark.h>

#include "common/checksum.h"
#include "redo/apply.h"
#include "redo/record.h"

namespace nordlys {
namespace {

void BM_ChecksumPage(benchmark::State& state) {
  std::string page(8192, 'x');
  for (auto _ : state) benchmark::DoNotOptimize(Checksum64(page));
  state.SetBytesProcessed(state.iterations() * 8192);
}
BENCHMARK(BM_ChecksumPage);

void BM_RedoEncodeDecode(benchmark::State& state) {
  redo::Record r{Lsn(10), Lsn(9), PageId(3), redo::RecordType::kWriteBytes, 0,
                 redo::WriteBytesPayload(100, std::string(state.range(0), 'a'))};
  std::string buf;
  for (auto _ : state) {
    buf.clear();
    redo::EncodeRecord(r, &buf);
    std::string_view in = buf;
    benchmark::DoNotOptimize(redo::DecodeRecord(&in));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RedoEncodeDecode)->Arg(16)->Arg(128)->Arg(1024);

void BM_RedoApply(benchmark::State& state) {
  page::Page p;
  uint64_t lsn = 1;
  for (auto _ : state) {
    redo::Record r{Lsn(lsn), Lsn(lsn - 1), PageId(3), redo::RecordType::kWriteBytes, 0,
                   redo::WriteBytesPayload(100 + (lsn % 64), "0123456789abcdef")};
    benchmark::DoNotOptimize(redo::Apply(r, &p));
    ++lsn;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RedoApply);

}  // namespace
}  // namespace nordlys

BENCHMARK_MAIN();
