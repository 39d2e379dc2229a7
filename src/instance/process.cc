#include "instance/process.h"

#include <chrono>
#include <future>
#include <thread>

#include "common/log.h"
#include "engine/storage/database.h"
#include "instance/session.h"
#include "net/port_reservation.h"
#include "net/rpc.h"
#include "pgwire/server.h"
#include "volume/rpc_channel.h"
#include "volume/volume_client.h"

namespace nordlys::instance {

Result<std::vector<volume::NodeInfo>> ParseStorageNodes(const std::string& spec) {
  std::vector<volume::NodeInfo> out;
  size_t pos = 0;
  while (pos <= spec.size()) {
    size_t comma = spec.find(',', pos);
    if (comma == std::string::npos) comma = spec.size();
    std::string item = spec.substr(pos, comma - pos);
    size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size()) {
      return Status::InvalidArgument("storage node \"" + item + "\": want AZ=HOST:PORT");
    }
    std::string host;
    uint16_t port = 0;
    NORDLYS_RETURN_IF_ERROR(net::ParseHostPort(item.substr(eq + 1), &host, &port)
                                .WithContext("storage node \"" + item + "\""));
    out.push_back({NodeId(out.size() + 1), item.substr(0, eq), item.substr(eq + 1)});
    pos = comma + 1;
  }
  return out;
}

struct WriterInstance::Impl {
  std::unique_ptr<volume::Geometry> geometry;
  std::unique_ptr<net::EventLoop> loop;
  std::unique_ptr<volume::StorageChannel> channel;
  std::unique_ptr<volume::Scheduler> scheduler;
  std::unique_ptr<volume::VolumeClient> volume;
  std::unique_ptr<engine::storage::Database> db;
  std::unique_ptr<SqlBackend> backend;
  std::unique_ptr<pgwire::PgServer> server;
};

WriterInstance::WriterInstance(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WriterInstance::~WriterInstance() { Stop(); }

Result<std::unique_ptr<WriterInstance>> WriterInstance::Start(const WriterOptions& o) {
  auto impl = std::make_unique<Impl>();
  NORDLYS_ASSIGN_OR_RETURN(volume::Geometry g, volume::Geometry::Make(o.storage_nodes,
                                                                      o.pages_per_pg));
  impl->geometry = std::make_unique<volume::Geometry>(std::move(g));
  // One thread runs every storage RPC: with two, asio woke the other thread for most
  // completions (measured: fewer context switches and syscalls per transaction with one).
  impl->loop = std::make_unique<net::EventLoop>(1);
  impl->channel = std::make_unique<volume::RpcStorageChannel>(impl->loop.get(), *impl->geometry);
  impl->scheduler = std::make_unique<volume::EventLoopScheduler>(impl->loop.get());

  // Hold the client port while recovery connects out to storage, so that none of those
  // connections gets it as its local port (and so that a taken port fails now, not later).
  pgwire::ServerOptions so;
  NORDLYS_RETURN_IF_ERROR(net::ParseHostPort(o.listen, &so.host, &so.port, true));
  NORDLYS_ASSIGN_OR_RETURN(net::PortReservation reserved, net::PortReservation::Reserve(so.host, so.port));

  // Recover the volume, retrying while storage is not reachable at quorum yet.
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(o.recover_timeout_ms);
  for (int attempt = 1;; ++attempt) {
    impl->volume = volume::VolumeClient::Create(*impl->geometry, impl->channel.get(),
                                                impl->scheduler.get(), volume::VolumeOptions{});
    std::promise<Status> p;
    impl->volume->Recover([&p](Status s) { p.set_value(s); });
    Status s = p.get_future().get();
    if (s.ok()) break;
    if (s.code() != StatusCode::kUnavailable || std::chrono::steady_clock::now() > deadline) {
      return s.WithContext("recovering the volume");
    }
    log::Warn("instance", "volume not recoverable yet; retrying",
              {{"attempt", attempt}, {"status", s.ToString()}});
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  log::Info("instance", "volume recovered",
            {{"epoch", impl->volume->epoch()}, {"vdl", impl->volume->vdl()}});

  engine::storage::DatabaseOptions dbo;
  dbo.buffer_pool_pages = o.buffer_pool_pages;
  dbo.retention_ms = o.retention_seconds * 1000;
  NORDLYS_ASSIGN_OR_RETURN(impl->db, engine::storage::Database::Open(impl->volume.get(), dbo));
  NORDLYS_ASSIGN_OR_RETURN(impl->backend, SqlBackend::Open(impl->db.get()));

  so.worker_threads = o.worker_threads;
  so.max_connections = o.max_connections;
  so.hba = o.hba ? *o.hba : pgwire::HbaConfig::AllowAll(o.auth);
  reserved.Release();
  NORDLYS_ASSIGN_OR_RETURN(impl->server, pgwire::PgServer::Start(so, impl->backend.get()));
  log::Info("instance", "writer serving", {{"port", impl->server->port()}});
  return std::unique_ptr<WriterInstance>(new WriterInstance(std::move(impl)));
}

uint16_t WriterInstance::port() const { return impl_->server->port(); }

bool WriterInstance::fenced() const { return impl_->volume && impl_->volume->fenced(); }

void WriterInstance::Stop() {
  if (!impl_) return;
  if (impl_->server) impl_->server->Stop();
  impl_->server.reset();
  impl_->backend.reset();
  impl_->db.reset();
  if (impl_->loop) impl_->loop->Stop();
  impl_->volume.reset();
  impl_->channel.reset();
  impl_->scheduler.reset();
  impl_->loop.reset();
}

}  // namespace nordlys::instance
