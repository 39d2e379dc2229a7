// The segment log's on-disk format (docs/formats/segment-log.md): numbered append-only files of
// checksummed frames, and the payload of every frame kind. Pure encoding and scanning over an
// Env; the index and the rules live in SegmentStore.
//
//   frame := u32 payload_len | u32 checksum | u8 type | payload
//   checksum = low 32 bits of XXH3-64 over (type byte, payload)
//
// Thread safety: free functions on values; no shared state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.h"
#include "common/status.h"
#include "common/types.h"
#include "proto/storage_protocol.h"

namespace nordlys::storage {

// Version 2 added frame types 6 (BaseImage) and 7 (Base) for image shipping; files of version 1
// (which hold neither) still open.
inline constexpr uint32_t kLogFormatVersion = 2;
inline constexpr char kLogMagic[8] = {'N', 'L', 'Y', 'S', 'S', 'L', 'O', 'G'};
inline constexpr size_t kFrameHeaderBytes = 9;
// No frame is larger: a record is at most 1 MiB of payload; a snapshot is bounded by the
// number of PGs and retained records.
inline constexpr uint32_t kFramePayloadBytesMax = 64u << 20;

enum class FrameType : uint8_t {
  kFileHeader = 1,  // magic, version, file number: the first frame of every log file
  kRecord = 2,      // one redo record with its PG and epoch
  kCoverage = 3,    // a PG's coverage claim (after, to] plus the (lsn, page) it vouches for
  kImage = 4,       // a materialized page image
  kSnapshot = 5,    // GC checkpoint: floor, coverage <= floor, retained records <= floor
  // Image shipping (proto "Image shipping"), version 2:
  kBaseImage = 6,   // an image a peer shipped (ImageFrame payload): no older version held here
  kBase = 7,        // a shipped base is complete: the PG's state as of `floor` is held
};

// Builds one frame and appends it to *out.
void AppendFrame(FrameType type, std::string_view payload, std::string* out);
// The same for a record frame (EncodeRecordFrame's payload), encoded in place: the record's
// payload is copied once, into *out.
void AppendRecordFrame(PgId pg, Epoch epoch, const redo::Record& record, std::string* out);

struct Frame {
  FrameType type;
  uint64_t offset = 0;  // of the frame header in its file
  uint32_t size = 0;    // header + payload
  std::string payload;
};

// Reads and verifies the frame at `offset` (whose total size is known from the index).
Result<Frame> ReadFrameAt(const RandomAccessFile& file, uint64_t offset, uint32_t size);
// Verifies and decodes a frame's bytes `buf` (read from `offset`; size known from the index).
Result<Frame> ParseFrameAt(std::string_view buf, uint64_t offset, uint32_t size);

// Scans a whole file image. Stops at the first frame that is short, oversized or fails its
// checksum; *valid_end is where the valid prefix ends. *skipped counts corrupt frames that were
// stepped over because a valid frame followed them (mid-file corruption; see the .cc).
std::vector<Frame> ScanFrames(std::string_view data, uint64_t* valid_end, uint32_t* skipped);

std::string LogFileName(uint32_t number);  // "log-00000001.seg"
// Parses a LogFileName; false for any other name.
bool ParseLogFileName(std::string_view name, uint32_t* number);

// ---- frame payloads ------------------------------------------------------------------------

struct FileHeaderFrame {
  uint32_t version = kLogFormatVersion;
  uint32_t number = 0;
};
struct RecordFrame {
  PgId pg;
  Epoch epoch;
  redo::Record record;
};
struct CoverageFrame {
  PgId pg;
  Epoch tag;  // epoch the coverage was received under
  Lsn after;
  Lsn to;
  struct Item {
    Lsn lsn;
    PageId page;
  };
  std::vector<Item> items;  // every record of the PG in (after, to]
};
struct ImageFrame {
  PgId pg;
  PageId page;
  Lsn lsn;      // page LSN: newest record applied
  Epoch epoch;  // epoch of that newest record (annulment rule)
  std::string image;  // 8192 bytes
};
// Written with the last chunk of a shipped base, before its coverage frame (same append).
struct BaseFrame {
  PgId pg;
  Lsn floor;     // the base is the PG as of this LSN: the node's GC floor is at least this
  Lsn last_lsn;  // the PG's last record <= floor (PgState's last_lsn_at_or_below)
  Lsn last_cpl;  // the PG's last CPL <= floor (PgState's max_cpl_at_or_below)
};
struct SnapshotFrame {
  Lsn floor;  // GC horizon this snapshot was taken at
  struct Pg {
    PgId pg;
    struct Interval {
      Epoch tag;
      Lsn lo;
      Lsn hi;
    };
    std::vector<Interval> coverage;  // all <= floor
    std::vector<Lsn> retained;       // records <= floor still held (must be present)
    Lsn last_collected;              // highest LSN reclaimed by GC (PgState answers)
    Lsn last_collected_cpl;          // highest CPL reclaimed by GC
  };
  std::vector<Pg> pgs;
};

std::string EncodeFileHeader(const FileHeaderFrame& f);
std::string EncodeRecordFrame(const RecordFrame& f);
std::string EncodeCoverageFrame(const CoverageFrame& f);
std::string EncodeImageFrame(const ImageFrame& f);
std::string EncodeSnapshotFrame(const SnapshotFrame& f);
std::string EncodeBaseFrame(const BaseFrame& f);
Status DecodeBaseFrame(std::string_view in, BaseFrame* f);
Status DecodeFileHeader(std::string_view in, FileHeaderFrame* f);
Status DecodeRecordFrame(std::string_view in, RecordFrame* f);
Status DecodeCoverageFrame(std::string_view in, CoverageFrame* f);
Status DecodeImageFrame(std::string_view in, ImageFrame* f);
Status DecodeSnapshotFrame(std::string_view in, SnapshotFrame* f);

// ---- the epoch history file (EPOCHS), written with Env::WriteFileAtomic ---------------------
inline constexpr uint32_t kEpochFileVersion = 1;
std::string EncodeEpochFile(const proto::EpochHistory& h);
Status DecodeEpochFile(std::string_view in, proto::EpochHistory* h);

// ---- the promise file (PROMISE), written with Env::WriteFileAtomic ---------------------------
// The highest epoch a recovering writer has been promised: requests with a lower epoch are
// fenced from the moment it is on disk (see proto::PgStateRequest).
inline constexpr uint32_t kPromiseFileVersion = 1;
std::string EncodePromiseFile(Epoch promised);
Status DecodePromiseFile(std::string_view in, Epoch* promised);

// ---- the PG configuration file (PGCONFIG) ----------------------------------------------------
// Version 2 appends each PG's membership (proto::Membership); version 1 files still open.
inline constexpr uint32_t kConfigFileVersion = 2;
struct PgConfig {
  PgId pg;
  std::vector<proto::PgMember> members;
  proto::Membership membership;
};
std::string EncodeConfigFile(uint64_t pages_per_pg, const std::vector<PgConfig>& pgs);
Status DecodeConfigFile(std::string_view in, uint64_t* pages_per_pg, std::vector<PgConfig>* pgs);

}  // namespace nordlys::storage
