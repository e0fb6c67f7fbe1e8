#include "infra/redis_cache.h"

#include <hiredis/hiredis.h>

#include "common/url.h"
#include "orders/catalog_service.h"

namespace chatshop::infra {

void RedisReplyDeleter::operator()(redisReply* r) const { freeReplyObject(r); }

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
  ASSIGN_OR_RETURN(context_, OpenRedis(settings_.url));
  return Ok();
}

Status PingRedis(const std::string& url) {
  ASSIGN_OR_RETURN(redisContext* const opened, OpenRedis(url));
  RedisReply reply(static_cast<redisReply*>(redisCommand(opened, "PING")));
  const bool ok = reply && reply->type != REDIS_REPLY_ERROR;
  const bool needs_auth = reply && reply->type == REDIS_REPLY_ERROR &&
                          std::string(reply->str, reply->len).rfind("NOAUTH", 0) == 0;
  redisFree(opened);
  if (needs_auth) {
    return MakeError(
        ErrorCode::kUnavailable,
        "redis wants a password: give it in [redis] url (redis://:PASSWORD@host:port/db)");
  }
  if (!ok) return MakeError(ErrorCode::kUnavailable, "redis did not answer PING");
  return Ok();
}

Result<redisContext*> OpenRedis(const std::string& redis_url) {
  // Messages never quote the URL or a reply to AUTH: either could carry the password.
  auto endpoint = common::ParseRedisUrl(redis_url);
  if (!endpoint) return MakeError(ErrorCode::kInvalidArgument, "redis url: " + endpoint.error());
  const timeval timeout{1, 0};
  redisContext* context = redisConnectWithTimeout(endpoint->host.c_str(), endpoint->port, timeout);
  if (context == nullptr || context->err != 0) {
    if (context != nullptr) redisFree(context);
    return MakeError(ErrorCode::kUnavailable, "redis unreachable");
  }
  redisSetTimeout(context, timeout);
  if (!endpoint->password.empty()) {
    const std::string& user = endpoint->username;
    const std::string& password = endpoint->password;
    // AUTH <user> <password> is Redis 6's ACL form; AUTH <password> the default user's.
    RedisReply authed(static_cast<redisReply*>(
        user.empty() ? redisCommand(context, "AUTH %b", password.data(), password.size())
                     : redisCommand(context, "AUTH %b %b", user.data(), user.size(),
                                    password.data(), password.size())));
    if (!authed || authed->type == REDIS_REPLY_ERROR) {
      const bool answered = authed != nullptr;
      redisFree(context);
      return MakeError(ErrorCode::kUnavailable,
                       answered ? "redis refused the user or password of [redis] url (AUTH)"
                                : "redis did not answer AUTH");
    }
  }
  if (endpoint->db != 0) {
    RedisReply selected(static_cast<redisReply*>(redisCommand(context, "SELECT %d", endpoint->db)));
    if (!selected || selected->type == REDIS_REPLY_ERROR) {
      const bool needs_auth = selected && selected->type == REDIS_REPLY_ERROR &&
                              std::string(selected->str, selected->len).rfind("NOAUTH", 0) == 0;
      redisFree(context);
      return MakeError(ErrorCode::kUnavailable,
                       needs_auth ? "redis wants a password: give it in [redis] url "
                                    "(redis://:PASSWORD@host:port/db)"
                                  : "redis: cannot select the database");
    }
  }
  return context;
}

Result<std::optional<orders::CachedCatalog>> RedisCatalogCache::Get(int64_t shop_id) {
  RETURN_IF_ERROR(Connect());
  const std::string key = Key(shop_id);
  RedisReply reply(
      static_cast<redisReply*>(redisCommand(context_, "GET %b", key.data(), key.size())));
  if (!reply || reply->type == REDIS_REPLY_ERROR) {
    return MakeError(ErrorCode::kUnavailable, "redis GET failed");
  }
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
  if (!reply || reply->type == REDIS_REPLY_ERROR) {
    return MakeError(ErrorCode::kUnavailable, "redis SET failed");
  }
  return Ok();
}

Status RedisCatalogCache::Invalidate(int64_t shop_id) {
  RETURN_IF_ERROR(Connect());
  const std::string key = Key(shop_id);
  RedisReply reply(
      static_cast<redisReply*>(redisCommand(context_, "DEL %b", key.data(), key.size())));
  if (!reply || reply->type == REDIS_REPLY_ERROR) {
    return MakeError(ErrorCode::kUnavailable, "redis DEL failed");
  }
  return Ok();
}

}  // namespace chatshop::infra
