// Internal to src/net (it includes asio): host resolution and listener setup, shared by the
// RPC server and the byte-stream server so both accept the same addresses and fail alike.
#pragma once

#include <string>

#include <asio.hpp>

#include "common/status.h"

namespace nordlys::net::internal {

// An IP literal or "localhost" (no DNS: servers and peers are addressed by IP).
inline Result<asio::ip::address> ResolveHost(const std::string& host) {
  if (host == "localhost") return asio::ip::make_address("127.0.0.1");
  asio::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) return Status::InvalidArgument("'" + host + "' is not an IP address or localhost");
  return addr;
}

// Opens, binds and listens `acceptor` on host:port; Unavailable with the OS's reason if not.
inline Status OpenListener(asio::ip::tcp::acceptor* acceptor, const std::string& host,
                           uint16_t port) {
  NORDLYS_ASSIGN_OR_RETURN(auto addr, ResolveHost(host));
  asio::ip::tcp::endpoint ep(addr, port);
  asio::error_code ec;
  acceptor->open(ep.protocol(), ec);
  if (!ec) acceptor->set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor->bind(ep, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::Unavailable("cannot listen on " + host + ":" + std::to_string(port) + ": " +
                               ec.message());
  }
  return Status::OK();
}

}  // namespace nordlys::net::internal
