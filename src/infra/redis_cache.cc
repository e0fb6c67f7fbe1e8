#include "infra/redis_cache.h"

#include <hiredis/hiredis.h>

#include "common/url.h"
#include "orders/catalog_service.h"

namespace chatshop::infra {
namespace {

// Frees a reply on every path.
struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

}  // namespace

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
  auto opened = OpenRedis(settings_.url);
  if (!opened) return tl::unexpected(opened.error());
  context_ = *opened;
  return Ok();
}

Status PingRedis(const std::string& url) {
  auto opened = OpenRedis(url);
  if (!opened) return tl::unexpected(opened.error());
  Reply reply(static_cast<redisReply*>(redisCommand(*opened, "PING")));
  const bool ok = reply && reply->type != REDIS_REPLY_ERROR;
  redisFree(*opened);
  if (!ok) return MakeError(ErrorCode::kUnavailable, "redis did not answer PING");
  return Ok();
}

Result<redisContext*> OpenRedis(const std::string& redis_url) {
  redisContext* context = nullptr;
  // redis://host:port/db
  common::UrlParts url = common::SplitUrl(redis_url);
  std::string host_port = url.origin.substr(url.origin.find("://") + 3);
  if (auto at = host_port.rfind('@'); at != std::string::npos) host_port.erase(0, at + 1);
  std::string host = host_port;
  int port = 6379;
  if (auto colon = host_port.rfind(':'); colon != std::string::npos) {
    host = host_port.substr(0, colon);
    port = std::atoi(host_port.c_str() + colon + 1);
  }
  const timeval timeout{1, 0};
  context = redisConnectWithTimeout(host.c_str(), port, timeout);
  if (context == nullptr || context->err != 0) {
    if (context != nullptr) redisFree(context);
    return MakeError(ErrorCode::kUnavailable, "redis unreachable");
  }
  redisSetTimeout(context, timeout);
  if (url.path.size() > 1) {
    Reply selected(static_cast<redisReply*>(redisCommand(context, "SELECT %s", url.path.c_str() + 1)));
    if (!selected || selected->type == REDIS_REPLY_ERROR) {
      redisFree(context);
      return MakeError(ErrorCode::kUnavailable, "redis: cannot select the database");
    }
  }
  return context;
}

Result<std::optional<orders::Catalog>> RedisCatalogCache::Get(int64_t shop_id) {
  if (auto connected = Connect(); !connected) return tl::unexpected(connected.error());
  const std::string key = Key(shop_id);
  Reply reply(static_cast<redisReply*>(redisCommand(context_, "GET %b", key.data(), key.size())));
  if (!reply || reply->type == REDIS_REPLY_ERROR) {
    return MakeError(ErrorCode::kUnavailable, "redis GET failed");
  }
  if (reply->type != REDIS_REPLY_STRING) return std::optional<orders::Catalog>();
  auto catalog = orders::CatalogFromJson(std::string(reply->str, reply->len));
  if (!catalog) return std::optional<orders::Catalog>();  // unreadable: treat as a miss
  return std::optional<orders::Catalog>(std::move(*catalog));
}

Status RedisCatalogCache::Put(int64_t shop_id, const orders::Catalog& catalog) {
  if (auto connected = Connect(); !connected) return connected;
  const std::string key = Key(shop_id), value = orders::CatalogToJson(catalog);
  Reply reply(static_cast<redisReply*>(redisCommand(context_, "SET %b %b EX %d", key.data(),
                                                    key.size(), value.data(), value.size(),
                                                    settings_.ttl_seconds)));
  if (!reply || reply->type == REDIS_REPLY_ERROR) {
    return MakeError(ErrorCode::kUnavailable, "redis SET failed");
  }
  return Ok();
}

Status RedisCatalogCache::Invalidate(int64_t shop_id) {
  if (auto connected = Connect(); !connected) return connected;
  const std::string key = Key(shop_id);
  Reply reply(static_cast<redisReply*>(redisCommand(context_, "DEL %b", key.data(), key.size())));
  if (!reply || reply->type == REDIS_REPLY_ERROR) {
    return MakeError(ErrorCode::kUnavailable, "redis DEL failed");
  }
  return Ok();
}

}  // namespace chatshop::infra
