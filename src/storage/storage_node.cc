// StorageNode process shell; see storage_node.h.
#include "storage/storage_node.h"

#include "common/log.h"

namespace nordlys::storage {
namespace {
constexpr char kIdentityFile[] = "/NODE";
constexpr char kIdentityVersion[] = "nordlys-storage-node v1";
}  // namespace

Result<std::unique_ptr<StorageNode>> StorageNode::Open(Env* env,
                                                       const StorageNodeOptions& options) {
  if (options.data_dir.empty()) return Status::InvalidArgument("--data-dir is required");
  if (options.az.empty()) return Status::InvalidArgument("--az is required");
  NORDLYS_RETURN_IF_ERROR(env->CreateDirs(options.data_dir));
  std::string identity = std::string(kIdentityVersion) + "\naz=" + options.az + "\n";
  std::string path = options.data_dir + kIdentityFile;
  if (env->FileExists(path)) {
    std::string existing;
    NORDLYS_RETURN_IF_ERROR(env->ReadFileToString(path, &existing));
    if (existing != identity) {
      return Status::InvalidArgument("data directory " + options.data_dir +
                                     " belongs to another node (" + path + " says: " +
                                     existing.substr(0, 80) + ")");
    }
  } else {
    NORDLYS_RETURN_IF_ERROR(env->WriteFileAtomic(path, identity));
  }
  return std::unique_ptr<StorageNode>(new StorageNode(env, options));
}

StorageNode::~StorageNode() { Stop(); }

Status StorageNode::Start() {
  net::RpcServer::Options o;
  NORDLYS_RETURN_IF_ERROR(net::ParseHostPort(options_.listen, &o.host, &o.port, true));
  o.io_threads = options_.io_threads;
  host_ = o.host;
  NORDLYS_ASSIGN_OR_RETURN(server_, net::RpcServer::Start(
                                        o, [this](uint16_t t, std::string p, auto r) {
                                          Handle(t, std::move(p), std::move(r));
                                        }));
  log::Info("storage", "listening",
            {{"address", address()}, {"az", options_.az}, {"data_dir", options_.data_dir}});
  return Status::OK();
}

std::string StorageNode::address() const {
  return host_ + ":" + std::to_string(server_ ? server_->port() : 0);
}

void StorageNode::Stop() {
  if (server_) server_->Stop();
}

void StorageNode::Handle(uint16_t type, std::string payload, net::RpcServer::Responder respond) {
  respond(Status::NotSupported("storage request type " + std::to_string(type) +
                               " is not supported by this storage node"));
}

}  // namespace nordlys::storage
