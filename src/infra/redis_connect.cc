#include "infra/redis_connect.h"

#include <hiredis/hiredis.h>

#include <optional>

#include "common/config.h"
#include "common/url.h"

namespace chatshop::infra {

void RedisReplyDeleter::operator()(redisReply* r) const { freeReplyObject(r); }

namespace {

struct Address {
  std::string host;
  int port = 0;
};

std::string ReplyText(const redisReply* reply) {
  return reply != nullptr && (reply->type == REDIS_REPLY_STRING ||
                              reply->type == REDIS_REPLY_STATUS || reply->type == REDIS_REPLY_ERROR)
             ? std::string(reply->str, reply->len)
             : std::string();
}

redisContext* Connect(const Address& address, timeval timeout) {
  redisContext* context = redisConnectWithTimeout(address.host.c_str(), address.port, timeout);
  if (context == nullptr || context->err != 0) {
    if (context != nullptr) redisFree(context);
    return nullptr;
  }
  redisSetTimeout(context, timeout);
  return context;
}

// The master's address as one sentinel knows it; nullopt when it cannot be asked or does not
// know the name. A short timeout: a dead sentinel must not hold up the next one.
std::optional<Address> AskSentinel(const Address& sentinel, const std::string& master_name) {
  redisContext* context = Connect(sentinel, timeval{0, 500 * 1000});
  if (context == nullptr) return std::nullopt;
  RedisReply reply(static_cast<redisReply*>(redisCommand(
      context, "SENTINEL get-master-addr-by-name %b", master_name.data(), master_name.size())));
  redisFree(context);
  if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) return std::nullopt;
  const std::string host = ReplyText(reply->element[0]), port = ReplyText(reply->element[1]);
  auto parsed = common::ParseListenAddress(host + ":" + port);
  if (!parsed) return std::nullopt;
  return Address{parsed->host, parsed->port};
}

// AUTH and SELECT as the URL says; the context is freed on an error.
Status Prepare(redisContext* context, const common::RedisEndpoint& endpoint) {
  if (!endpoint.password.empty()) {
    const std::string& user = endpoint.username;
    const std::string& password = endpoint.password;
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
  if (endpoint.db != 0) {
    RedisReply selected(static_cast<redisReply*>(redisCommand(context, "SELECT %d", endpoint.db)));
    if (!selected || selected->type == REDIS_REPLY_ERROR) {
      const bool needs_auth = selected && selected->type == REDIS_REPLY_ERROR &&
                              ReplyText(selected.get()).rfind("NOAUTH", 0) == 0;
      redisFree(context);
      return MakeError(ErrorCode::kUnavailable,
                       needs_auth ? "redis wants a password: give it in [redis] url "
                                    "(redis://:PASSWORD@host:port/db)"
                                  : "redis: cannot select the database");
    }
  }
  return Ok();
}

// True when the server says it is a master now (ROLE's first element).
bool IsMaster(redisContext* context) {
  RedisReply role(static_cast<redisReply*>(redisCommand(context, "ROLE")));
  return role && role->type == REDIS_REPLY_ARRAY && role->elements >= 1 &&
         ReplyText(role->element[0]) == "master";
}

}  // namespace

bool IsReadOnlyReply(const redisReply* reply) {
  return reply != nullptr && reply->type == REDIS_REPLY_ERROR &&
         ReplyText(reply).rfind("READONLY", 0) == 0;
}

Result<redisContext*> OpenRedis(const RedisTarget& target) {
  // Messages never quote the URL or a reply to AUTH: either could carry the password.
  auto endpoint = common::ParseRedisUrl(target.url);
  if (!endpoint) return MakeError(ErrorCode::kInvalidArgument, "redis url: " + endpoint.error());
  const timeval timeout{1, 0};
  if (target.sentinels.empty()) {
    redisContext* context = Connect({endpoint->host, endpoint->port}, timeout);
    if (context == nullptr) return MakeError(ErrorCode::kUnavailable, "redis unreachable");
    RETURN_IF_ERROR(Prepare(context, *endpoint));
    return context;
  }
  // Sentinels in turn: the first that names a master we can reach and that says it is one.
  // A sentinel that has not yet noticed a failover names the old master, which ROLE refuses
  // once demoted; the next sentinel may know better.
  bool any_sentinel = false;
  std::optional<Error> last;
  for (const auto& text : target.sentinels) {
    auto sentinel = common::ParseListenAddress(text);
    if (!sentinel) continue;
    auto master = AskSentinel({sentinel->host, sentinel->port}, target.master_name);
    if (!master) continue;
    any_sentinel = true;
    redisContext* context = Connect(*master, timeout);
    if (context == nullptr) continue;
    if (auto prepared = Prepare(context, *endpoint); !prepared) {
      last = prepared.error();
      continue;
    }
    if (!IsMaster(context)) {
      redisFree(context);
      continue;
    }
    return context;
  }
  if (last) return tl::unexpected(*last);
  return MakeError(ErrorCode::kUnavailable,
                   any_sentinel ? "redis: the master the sentinels name is unreachable or not a "
                                  "master (failover under way?)"
                                : "redis: no sentinel of [redis] sentinels answered for "
                                  "master_name");
}

Status PingRedis(const RedisTarget& target) {
  ASSIGN_OR_RETURN(redisContext* const opened, OpenRedis(target));
  RedisReply reply(static_cast<redisReply*>(redisCommand(opened, "PING")));
  const bool ok = reply && reply->type != REDIS_REPLY_ERROR;
  const bool needs_auth =
      reply && reply->type == REDIS_REPLY_ERROR && ReplyText(reply.get()).rfind("NOAUTH", 0) == 0;
  redisFree(opened);
  if (needs_auth) {
    return MakeError(
        ErrorCode::kUnavailable,
        "redis wants a password: give it in [redis] url (redis://:PASSWORD@host:port/db)");
  }
  if (!ok) return MakeError(ErrorCode::kUnavailable, "redis did not answer PING");
  return Ok();
}

}  // namespace chatshop::infra
