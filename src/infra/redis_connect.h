#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"

struct redisContext;
struct redisReply;

namespace chatshop::infra {

// A hiredis reply freed on every path.
struct RedisReplyDeleter {
  void operator()(redisReply* r) const;
};
using RedisReply = std::unique_ptr<redisReply, RedisReplyDeleter>;

// Where Redis is: its URL alone, or the URL's database and password with a Sentinel deployment
// naming the master.
struct RedisTarget {
  std::string url;  // redis://[[user]:password@]host[:port][/db]; never logged
  // "host:port" of each sentinel; empty: connect to url's host:port. With sentinels, url's
  // host:port is not used. Sentinels are asked without AUTH.
  std::vector<std::string> sentinels;
  std::string master_name;  // the name the sentinels monitor the master under
};

// Opens a connection to the master: url's host:port, or with sentinels the address the first
// sentinel that answers gives for master_name (each asked with a 500 ms connect timeout),
// checked with ROLE to be a master now (a demoted old master is refused, and the next sentinel
// asked). One-second connect and command timeouts; AUTH when the URL has a password, SELECT its
// database. The caller owns the context (redisFree). kInvalidArgument for a URL that cannot be
// used (rediss://: no TLS in this hiredis), kUnavailable when no master can be reached or it
// refuses the password; no message quotes the URL or the password. Thread-safe (no state).
[[nodiscard]] Result<redisContext*> OpenRedis(const RedisTarget& target);
// The same for a URL alone (no sentinels).
[[nodiscard]] inline Result<redisContext*> OpenRedis(const std::string& url) {
  return OpenRedis(RedisTarget{url, {}, {}});
}

// True when `reply` is Redis's answer to a write on a replica (-READONLY): the connection is to
// a demoted master and must be dropped so that the next call finds the new one.
bool IsReadOnlyReply(const redisReply* reply);

// Ok when Redis (the master, through the sentinels if any) answers PING (for `chatshopctl
// config check`).
[[nodiscard]] Status PingRedis(const RedisTarget& target);
[[nodiscard]] inline Status PingRedis(const std::string& url) {
  return PingRedis(RedisTarget{url, {}, {}});
}

}  // namespace chatshop::infra
