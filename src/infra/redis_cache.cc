#include "infra/redis_cache.h"

#include <hiredis/hiredis.h>

#include "orders/catalog_service.h"

namespace chatshop::infra {

RedisCatalogCache::RedisCatalogCache(RedisSettings settings) : settings_(std::move(settings)) {}

RedisCatalogCache::~RedisCatalogCache() {
  if (context_ != nullptr) redisFree(context_);
}

std::string RedisCatalogCache::Key(int64_t shop_id) const {
  return settings_.key_prefix + ":catalog:" + std::to_string(shop_id);
}

Status RedisCatalogCache::Connect() {
  if (context_ != nullptr && context_->err == 0) return Ok();
  if (context_ != nullptr) {
    redisFree(context_);
    context_ = nullptr;
  }
  ASSIGN_OR_RETURN(context_, OpenRedis(settings_.target));
  return Ok();
}

Status RedisCatalogCache::Check(const redisReply* reply, const char* what) {
  if (reply != nullptr && reply->type != REDIS_REPLY_ERROR) return Ok();
  if (IsReadOnlyReply(reply)) {
    redisFree(context_);
    context_ = nullptr;
  }
  return MakeError(ErrorCode::kUnavailable, what);
}

Result<std::optional<orders::CachedCatalog>> RedisCatalogCache::Get(int64_t shop_id) {
  RETURN_IF_ERROR(Connect());
  const std::string key = Key(shop_id);
  RedisReply reply(
      static_cast<redisReply*>(redisCommand(context_, "GET %b", key.data(), key.size())));
  RETURN_IF_ERROR(Check(reply.get(), "redis GET failed"));
  if (reply->type != REDIS_REPLY_STRING) return std::optional<orders::CachedCatalog>();
  auto cached = orders::CachedCatalogFromJson(std::string(reply->str, reply->len));
  if (!cached) return std::optional<orders::CachedCatalog>();  // unreadable: treat as a miss
  return std::optional<orders::CachedCatalog>(std::move(*cached));
}

Status RedisCatalogCache::Put(int64_t shop_id, const orders::CachedCatalog& cached) {
  RETURN_IF_ERROR(Connect());
  const std::string key = Key(shop_id), value = orders::CachedCatalogToJson(cached);
  RedisReply reply(
      static_cast<redisReply*>(redisCommand(context_, "SET %b %b EX %d", key.data(), key.size(),
                                            value.data(), value.size(), settings_.ttl_seconds)));
  return Check(reply.get(), "redis SET failed");
}

Status RedisCatalogCache::Invalidate(int64_t shop_id) {
  RETURN_IF_ERROR(Connect());
  const std::string key = Key(shop_id);
  RedisReply reply(
      static_cast<redisReply*>(redisCommand(context_, "DEL %b", key.data(), key.size())));
  return Check(reply.get(), "redis DEL failed");
}

}  // namespace chatshop::infra
