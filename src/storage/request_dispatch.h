// Decodes one storage-protocol request (anything but kWriteBatch, whose answer waits for group
// commit), runs it on a SegmentStore and encodes the answer. The storage process and the
// simulator both call this, so they cannot disagree on what a message means.
//
// Thread safety: as the store's — the caller serializes.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "storage/segment_store.h"

namespace nordlys::storage {

// A payload that does not decode is the decoder's error; an unknown type is NotSupported.
Result<std::string> HandleStoreRequest(SegmentStore* store, uint16_t type,
                                       const std::string& payload);

}  // namespace nordlys::storage
