#pragma once

#include <memory>
#include <string>

#include "infra/redis_connect.h"
#include "orders/ports.h"
#include "webhook/ports.h"

struct redisContext;

namespace chatshop::infra {

struct RedisSettings {
  RedisTarget target;  // the URL (never logged), and the sentinels if any
  std::string key_prefix = "chatshop";
  int ttl_seconds = 300;
};

// orders::CatalogCache on Redis (hiredis): one JSON value per shop under
// "<prefix>:catalog:<shop id>", with its catalog_version inside and a TTL. One key per shop
// rather than one per version: a busy shop's checkouts each move the version, and a key per
// version would keep a copy of the whole catalog per checkout until its TTL. Connects lazily and
// again after an error or a -READONLY reply (a master demoted by Sentinel: the next call asks the
// sentinels again); commands time out after a second, because a cache must never make a reply
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
  // The reply's Status; drops the connection after -READONLY.
  Status Check(const redisReply* reply, const char* what);
  std::string Key(int64_t shop_id) const;

  RedisSettings settings_;
  redisContext* context_ = nullptr;
};

}  // namespace chatshop::infra
