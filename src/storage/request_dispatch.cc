// Request dispatch for every storage message that needs no group commit; see request_dispatch.h.
#include "storage/request_dispatch.h"

namespace nordlys::storage {

Result<std::string> HandleStoreRequest(SegmentStore* store, uint16_t type,
                                       const std::string& payload) {
  switch (type) {
    case proto::kGetPage: {
      proto::GetPageRequest req;
      NORDLYS_RETURN_IF_ERROR(proto::Decode(payload, &req));
      NORDLYS_ASSIGN_OR_RETURN(auto resp, store->GetPage(req));
      return proto::EncodeToString(resp);
    }
    case proto::kPgState: {
      proto::PgStateRequest req;
      NORDLYS_RETURN_IF_ERROR(proto::Decode(payload, &req));
      NORDLYS_ASSIGN_OR_RETURN(auto resp, store->PgState(req));
      return proto::EncodeToString(resp);
    }
    case proto::kInstallEpoch: {
      proto::InstallEpochRequest req;
      NORDLYS_RETURN_IF_ERROR(proto::Decode(payload, &req));
      NORDLYS_ASSIGN_OR_RETURN(auto resp, store->InstallEpoch(req));
      return proto::EncodeToString(resp);
    }
    case proto::kFetchRecords: {
      proto::FetchRecordsRequest req;
      NORDLYS_RETURN_IF_ERROR(proto::Decode(payload, &req));
      NORDLYS_ASSIGN_OR_RETURN(auto resp, store->FetchRecords(req));
      return proto::EncodeToString(resp);
    }
    case proto::kSetHorizon: {
      proto::SetHorizonRequest req;
      NORDLYS_RETURN_IF_ERROR(proto::Decode(payload, &req));
      NORDLYS_RETURN_IF_ERROR(store->SetHorizon(req));
      return std::string();
    }
    case proto::kConfigurePg: {
      proto::ConfigurePgRequest req;
      NORDLYS_RETURN_IF_ERROR(proto::Decode(payload, &req));
      NORDLYS_RETURN_IF_ERROR(store->ConfigurePg(req));
      return std::string();
    }
    case proto::kNodeStats:
      return proto::EncodeToString(store->Stats());
    default:
      return Status::NotSupported("storage request type " + std::to_string(type) +
                                  " is not supported by this storage node");
  }
}

}  // namespace nordlys::storage
