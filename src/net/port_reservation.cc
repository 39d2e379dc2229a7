// See port_reservation.h.
#include "net/port_reservation.h"

#include "net/listen.h"

namespace nordlys::net {

struct PortReservation::Impl {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor{io};
};

PortReservation::PortReservation() = default;
PortReservation::~PortReservation() { Release(); }
PortReservation::PortReservation(PortReservation&&) noexcept = default;
PortReservation& PortReservation::operator=(PortReservation&&) noexcept = default;

Result<PortReservation> PortReservation::Reserve(const std::string& host, uint16_t port) {
  PortReservation r;
  if (port == 0) return r;
  NORDLYS_ASSIGN_OR_RETURN(auto addr, internal::ResolveHost(host));
  r.impl_ = std::make_unique<Impl>();
  asio::ip::tcp::endpoint ep(addr, port);
  asio::error_code ec;
  r.impl_->acceptor.open(ep.protocol(), ec);
  // The same option the listener sets, so the listener can bind right after Release().
  if (!ec) r.impl_->acceptor.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
  if (!ec) r.impl_->acceptor.bind(ep, ec);
  if (ec) {
    return Status::Unavailable("cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  }
  return r;
}

void PortReservation::Release() {
  if (!impl_) return;
  asio::error_code ec;
  impl_->acceptor.close(ec);
  impl_.reset();
}

}  // namespace nordlys::net
