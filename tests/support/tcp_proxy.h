#pragma once

#include <atomic>
#include <mutex>
#include <thread>

namespace chatshop::testing {

// A TCP relay on 127.0.0.1 in front of a server, to take the server away from a program under
// test and give it back without touching the server (which other tests share). While cut, it
// drops every relayed connection and closes new ones at once, as a dead broker would look.
class TcpProxy {
 public:
  explicit TcpProxy(int target_port);
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  int port() const { return port_; }
  void Cut() { cut_ = true; }
  void Restore() { cut_ = false; }
  // While held, what clients send is left unread (so never reaches the server) while the
  // server's bytes still reach the clients: a client's acknowledgements stay in flight.
  void Hold() { held_ = true; }
  void Release() { held_ = false; }

 private:
  void Loop();

  int target_port_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> cut_{false};
  std::atomic<bool> held_{false};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace chatshop::testing
