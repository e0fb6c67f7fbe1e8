#include "support/tcp_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <set>
#include <stdexcept>
#include <vector>

namespace chatshop::testing {

TcpProxy::TcpProxy(int target_port) : target_port_(target_port) {
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  int yes = 1;
  ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listener_, 64) != 0) {
    throw std::runtime_error("proxy cannot listen");
  }
  socklen_t len = sizeof(addr);
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { Loop(); });
}

TcpProxy::~TcpProxy() {
  stop_ = true;
  thread_.join();
  ::close(listener_);
}

void TcpProxy::Loop() {
  std::map<int, int> peer;  // fd → the fd it relays to (both directions present)
  std::set<int> clients;    // the accepted side of each pair
  auto close_pair = [&peer, &clients](int fd) {
    auto it = peer.find(fd);
    if (it == peer.end()) return;
    int other = it->second;
    ::close(fd);
    ::close(other);
    clients.erase(fd);
    clients.erase(other);
    peer.erase(fd);
    peer.erase(other);
  };
  while (!stop_) {
    if (cut_) {
      while (!peer.empty()) close_pair(peer.begin()->first);
    }
    std::vector<pollfd> fds = {{listener_, POLLIN, 0}};
    for (const auto& [fd, other] : peer) {
      if (!(held_ && clients.count(fd))) fds.push_back({fd, POLLIN, 0});
    }
    if (::poll(fds.data(), fds.size(), 20) <= 0) continue;
    if (fds[0].revents & POLLIN) {
      int client = ::accept(listener_, nullptr, nullptr);
      if (client >= 0 && cut_) {
        ::close(client);
      } else if (client >= 0) {
        int server = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(static_cast<uint16_t>(target_port_));
        if (::connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
          ::close(server);
          ::close(client);
        } else {
          int yes = 1;
          ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
          ::setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
          clients.insert(client);
          peer[client] = server;
          peer[server] = client;
        }
      }
    }
    for (size_t i = 1; i < fds.size(); ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      if (!peer.count(fds[i].fd)) continue;  // closed with its partner this round
      // Held since this round's poll began: leave the bytes unread from now on.
      if (held_ && clients.count(fds[i].fd)) continue;
      char buffer[65536];
      ssize_t n = ::read(fds[i].fd, buffer, sizeof(buffer));
      if (n <= 0 || ::write(peer[fds[i].fd], buffer, n) != n) close_pair(fds[i].fd);
    }
  }
  while (!peer.empty()) close_pair(peer.begin()->first);
}

}  // namespace chatshop::testing
