// Holding a TCP port before listening on it. A process that connects out before it listens
// (the writer recovers the volume from storage first) can otherwise have the kernel hand its
// own listening port to one of those outgoing connections as their ephemeral local port, and
// then fail to listen ("Address already in use"). A reservation binds the port (without
// listening) so the kernel skips it; Release() frees it just before the real listener binds.
//
// Thread safety: one owner.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"

namespace nordlys::net {

class PortReservation {
 public:
  PortReservation();
  ~PortReservation();
  PortReservation(PortReservation&&) noexcept;
  PortReservation& operator=(PortReservation&&) noexcept;

  // Binds host:port. Port 0 reserves nothing (the listener will pick any free port).
  // Unavailable with the OS's reason when the port is taken.
  static Result<PortReservation> Reserve(const std::string& host, uint16_t port);
  void Release();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nordlys::net
