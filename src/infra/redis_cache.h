#pragma once

#include <memory>
#include <string>

#include "orders/ports.h"
#include "webhook/ports.h"

struct redisContext;
struct redisReply;

namespace chatshop::infra {

// A hiredis reply freed on every path.
struct RedisReplyDeleter {
  void operator()(redisReply* r) const;
};
using RedisReply = std::unique_ptr<redisReply, RedisReplyDeleter>;

struct RedisSettings {
  std::string url;  // redis://[[user]:password@]host[:port][/db]; never logged
  std::string key_prefix = "chatshop";
  int ttl_seconds = 300;
};

// orders::CatalogCache on Redis (hiredis): one JSON value per shop under
// "<prefix>:catalog:<shop id>", with its catalog_version inside and a TTL. One key per shop
// rather than one per version: a busy shop's checkouts each move the version, and a key per
// version would keep a copy of the whole catalog per checkout until its TTL. Connects lazily and
// again after an error; commands time out after a second, because a cache must never make a reply
// slow. Not thread-safe: one per thread.
class RedisCatalogCache : public orders::CatalogCache {
 public:
  explicit RedisCatalogCache(RedisSettings settings);
  ~RedisCatalogCache() override;

  Result<std::optional<orders::CachedCatalog>> Get(int64_t shop_id) override;
  Status Put(int64_t shop_id, const orders::CachedCatalog& cached) override;
  Status Invalidate(int64_t shop_id) override;

 private:
  Status Connect();
  std::string Key(int64_t shop_id) const;

  RedisSettings settings_;
  redisContext* context_ = nullptr;
};

// Connects to redis://[[user]:password@]host[:port][/db] with one-second connect and command
// timeouts, authenticating (AUTH) when the URL has a password and selecting the database. The
// caller owns the context (redisFree). kInvalidArgument for a URL that cannot be used
// (rediss://: no TLS in this hiredis), kUnavailable when Redis cannot be reached or refuses
// the password; no message ever quotes the URL or the password.
Result<redisContext*> OpenRedis(const std::string& url);

// Ok when Redis answers PING (for `chatshopctl config check`).
Status PingRedis(const std::string& url);

}  // namespace chatshop::infra
