#include "apps/ctl/admin.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "apps/ctl/ctl_common.h"
#include "infra/credentials.h"
#include "infra/graph_api_client.h"
#include "infra/pg_catalog_store.h"
#include "infra/pg_shop_directory.h"
#include "infra/rabbitmq.h"
#include "infra/redis_cache.h"
#include "orders/catalog_service.h"
#include "orders/money.h"
#include "whatsapp/outbound.h"

namespace chatshop::ctl {
namespace {

// One CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180).
std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

// The shop's catalog in the import format, so export → edit → import is a round trip.
int CatalogExport(const common::Config& config, const std::string& shop_number,
                  const std::string& path) {
  auto shop_id = ShopId(config, shop_number);
  if (!shop_id) return 1;
  infra::PgCatalogStore store(config.postgres.url);
  auto catalog = store.LoadCatalog(*shop_id);
  if (!catalog) return Fail(catalog.error());
  std::ostringstream csv;
  csv << "sku,name,price,stock,unit,category,aliases\n";
  for (const auto& p : catalog->products) {
    std::string aliases;
    for (const auto& a : p.aliases) aliases += (aliases.empty() ? "" : "|") + a;
    char price[32];
    std::snprintf(price, sizeof price, "%lld.%02lld", static_cast<long long>(p.price.minor / 100),
                  static_cast<long long>(p.price.minor % 100));
    csv << CsvField(p.sku) << ',' << CsvField(p.name) << ',' << price << ',' << p.stock << ','
        << CsvField(p.unit) << ',' << CsvField(p.category) << ',' << CsvField(aliases) << '\n';
  }
  if (path.empty() || path == "-") {
    std::cout << csv.str();
  } else {
    std::ofstream out(path, std::ios::binary);
    out << csv.str();
    if (!out) {
      std::cerr << "chatshopctl: cannot write " << path << "\n";
      return 1;
    }
    std::cerr << "exported " << catalog->products.size() << " products to " << path << "\n";
  }
  return 0;
}

int StockAdjust(const common::Config& config, const std::string& shop_number,
                const std::string& sku, const std::string& change) {
  char* end = nullptr;
  const long long delta = std::strtoll(change.c_str(), &end, 10);
  if (change.empty() || *end != '\0' || (change[0] != '+' && change[0] != '-') || delta == 0) {
    std::cerr << "chatshopctl: the change is a signed number of units, like +5 or -3\n";
    return 1;
  }
  auto shop_id = ShopId(config, shop_number);
  if (!shop_id) return 1;
  infra::PgCatalogStore store(config.postgres.url);
  auto now = store.AdjustStock(*shop_id, sku, delta);
  if (!now) return Fail(now.error());
  // The workers read the catalog through the cache: drop it so the next reply sees this.
  infra::RedisCatalogCache cache(
      {config.redis.url, config.redis.key_prefix, config.redis.cache_ttl_seconds});
  orders::CatalogService service(store, cache);
  std::cout << sku << " stock is now " << *now << "\n";
  if (auto dropped = service.DropCached(*shop_id); !dropped) {
    std::cerr << "chatshopctl: warning: " << dropped.error().message << "\n";
  }
  return 0;
}

// Another name customers use for a product ("doodh" for milk): the parser finds it at once.
int AliasChange(const common::Config& config, const std::string& shop, const std::string& sku,
                std::string alias, bool add) {
  while (!alias.empty() && alias.back() == ' ') alias.pop_back();
  while (!alias.empty() && alias.front() == ' ') alias.erase(0, 1);
  if (alias.empty() || alias.size() > 100 || alias.find('|') != std::string::npos) {
    std::cerr << "chatshopctl: an alias is a word or a few (at most 100 characters, no '|')\n";
    return 1;
  }
  auto shop_id = ShopId(config, shop);
  if (!shop_id) return 1;
  infra::PgCatalogStore store(config.postgres.url);
  auto aliases = store.ChangeAlias(*shop_id, sku, alias, add);
  if (!aliases) return Fail(aliases.error());
  infra::RedisCatalogCache cache(
      {config.redis.url, config.redis.key_prefix, config.redis.cache_ttl_seconds});
  if (auto dropped = orders::CatalogService(store, cache).DropCached(*shop_id); !dropped) {
    std::cerr << "chatshopctl: warning: " << dropped.error().message << "\n";
  }
  std::string list;
  for (const auto& a : *aliases) list += (list.empty() ? "" : ", ") + a;
  std::cout << sku << " is also called: " << (list.empty() ? "(nothing else)" : list) << "\n";
  return 0;
}

int ShopShow(const common::Config& config, const std::string& shop, bool as_json) {
  auto shown = infra::PgShopDirectory(config.postgres.url).ShowShop(shop);
  if (!shown) return Fail(shown.error());
  if (as_json) {
    std::cout << shown->dump() << "\n";
    return 0;
  }
  const auto& s = *shown;
  auto rupees = [](const nlohmann::json& minor) {
    return minor.is_number() ? orders::Money{minor.get<int64_t>()}.ToRupeeText()
                             : std::string("never");
  };
  std::cout << "shop " << s["id"] << " \"" << s["name"].get<std::string>() << "\", phone_number_id "
            << s["phone_number_id"].get<std::string>() << "\n"
            << "  replies in " << s["locale"].get<std::string>() << "; " << s["products"]
            << " products\n"
            << "  delivery " << rupees(s["delivery_fee_minor"]) << ", free from "
            << rupees(s["free_delivery_from_minor"]) << "\n"
            << "  UPI " << (s["upi_vpa"].is_string() ? s["upi_vpa"].get<std::string>() : "none")
            << (s["upi_payee_name"].is_string()
                    ? " (payee " + s["upi_payee_name"].get<std::string>() + ")"
                    : "")
            << ", cash on delivery " << (s["cod_allowed"].get<bool>() ? "yes" : "no") << "\n"
            << "  sends "
            << (s["messages_per_second"].is_number() ? s["messages_per_second"].dump()
                                                     : "the default")
            << " messages/s; holds stock "
            << (s["reservation_minutes"].is_number() ? s["reservation_minutes"].dump() + " minutes"
                                                     : "the default time")
            << " at checkout; currency " << s["currency"].get<std::string>() << "\n"
            << "  number "
            << (s["display_phone_number"].is_string() ? s["display_phone_number"].get<std::string>()
                                                      : "?")
            << ", WABA " << (s["waba_id"].is_string() ? s["waba_id"].get<std::string>() : "?")
            << "\n"
            << "  token " << (s["token_encrypted"].get<bool>() ? "encrypted" : "NOT encrypted")
            << ", "
            << (s["credentials_ok"].get<bool>()
                    ? "not refused"
                    : "REFUSED by Meta: " + s.value("credentials_error", std::string()))
            << "\n";
  if (s["disabled_at"].is_string())
    std::cout << "  DISABLED since " << s["disabled_at"].get<std::string>() << "\n";
  for (const auto& owner : s["owners"]) {
    std::cout << "  owner +" << owner["phone"].get<std::string>() << " "
              << owner["name"].get<std::string>() << " (" << owner["locale"].get<std::string>()
              << ")\n";
  }
  for (const auto& [kind, name] : s["notice_templates"].items()) {
    std::cout << "  notice " << kind << ": template " << name.get<std::string>() << "\n";
  }
  return 0;
}

// What to paste into Meta's dashboard (App → WhatsApp → Configuration).
int WebhookInfo(const common::Config& config) {
  const std::string base =
      config.http.public_url.empty() ? "https://<your public host>" : config.http.public_url;
  std::cout << "Callback URL:  " << base << config.http.webhook_path << "\n"
            << "Verify token:  " << config.whatsapp.verify_token << "\n"
            << "Subscribe the app to the webhook field: messages\n"
            << "The gateway listens on " << config.http.listen.ToString()
            << "; put TLS (nginx) in front of it at the callback URL.\n";
  if (config.http.public_url.empty()) {
    std::cout << "(set [http] public_url to print the exact callback URL)\n";
  }
  return 0;
}

// A text from the shop's number to `to`, through the outbox and the sender like any reply.
int SendTest(const common::Config& config, const std::string& shop, std::string to,
             const std::string& text) {
  if (!to.empty() && to[0] == '+') to.erase(0, 1);
  if (to.size() < 8 || to.size() > 15 || to[0] == '0' ||
      to.find_first_not_of("0123456789") != std::string::npos) {
    std::cerr << "chatshopctl: NUMBER: a WhatsApp number with country code, like 919812345678\n";
    return 1;
  }
  if (text.empty()) {
    std::cerr << "chatshopctl: TEXT: what to send\n";
    return 1;
  }
  auto shop_id = ShopId(config, shop);
  if (!shop_id) return 1;
  auto id = infra::PgShopDirectory(config.postgres.url)
                .QueueMessage(*shop_id, to, whatsapp::BuildTextMessage(to, text));
  if (!id) return Fail(id.error());
  std::cout << "queued outbox-" << *id << " to +" << to
            << "; a running worker (--role sender) sends it — `chatshopctl dlq list` shows it "
               "if Meta refuses it. Outside the customer's 24-hour window Meta accepts only "
               "templates.\n";
  return 0;
}

// Reads a token from `path` (or stdin when empty): its first line, without the line break.
std::optional<std::string> ReadToken(const std::string& path) {
  std::string token;
  if (path.empty() || path == "-") {
    std::getline(std::cin, token);
  } else {
    std::ifstream in(path);
    if (!in) {
      std::cerr << "chatshopctl: cannot read " << path << "\n";
      return std::nullopt;
    }
    std::getline(in, token);
  }
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty()) {
    std::cerr << "chatshopctl: no token: give it on stdin or in --file (never as an argument)\n";
    return std::nullopt;
  }
  return token;
}

// Encrypts the shop's new token under the master key and stores it; a hold on the shop (a
// token Meta refused) ends, so its waiting replies go out.
int CredentialsSet(const common::Config& config, const std::string& shop, const std::string& file) {
  auto vault = infra::TokenVault::FromEnvironment();
  if (!vault) return Fail(vault.error());
  auto token = ReadToken(file);
  if (!token) return 1;
  auto sealed = vault->Seal(*token, shop);
  if (!sealed) return Fail(sealed.error());
  infra::PgShopDirectory shops(config.postgres.url);
  auto changed = shops.SetToken(shop, *sealed);
  if (!changed) return Fail(changed.error());
  std::cout << "shop " << shop
            << ": token stored encrypted (AES-256-GCM); check it with "
               "`chatshopctl credentials check --shop "
            << shop << "`\n";
  return 0;
}

// Asks the Graph API about the shop's number with its token.
int CredentialsCheck(const common::Config& config, const std::string& shop) {
  infra::PgShopDirectory shops(config.postgres.url);
  auto stored = shops.StoredToken(shop);
  if (!stored) return Fail(stored.error());
  auto token = infra::RevealToken(*stored, shop);
  if (!token) return Fail(token.error());
  infra::GraphApiClient graph({config.whatsapp.graph_base_url, config.whatsapp.graph_version,
                               config.whatsapp.request_timeout_ms, config.whatsapp.media_hosts});
  auto number = graph.GetPhoneNumber(shop, *token);
  if (!number) {
    if (number.error().code == ErrorCode::kUnauthenticated) {
      std::cerr << "chatshopctl: Meta refused the token (" << number.error().message
                << "): set a new one with `chatshopctl credentials set`\n";
      return 1;
    }
    return Fail(number.error());
  }
  std::cout << "shop " << shop << ": the token works for "
            << number->value("display_phone_number", "?") << " ("
            << number->value("verified_name", "?") << ")\n";
  return 0;
}

// The config was loaded and checked already (unknown keys, types, ranges); this tries every
// server it names.
int ConfigCheck(const common::Config& config) {
  std::cout << config.source << ": every key is known and valid\n";
  bool all_ok = true;
  auto report = [&](const char* what, const Status& status) {
    std::cout << "  " << what << ": " << (status ? "ok" : "NOT OK — " + status.error().message)
              << "\n";
    all_ok = all_ok && status.has_value();
  };
  report("postgres", infra::PingPostgres(config.postgres.url));
  report("redis", infra::PingRedis(config.redis.url));
  infra::RabbitSettings rabbit = infra::RabbitSettingsOf(config.rabbitmq);
  report("rabbitmq (and its queues)", infra::DeclareTopology(rabbit));
  if (!all_ok) {
    std::cout << "some servers cannot be reached: see above\n";
    return 2;
  }
  return 0;
}

}  // namespace

std::function<int(const common::Config&)> AddAdminCommands(CLI::App& cli, CLI::App& catalog,
                                                           CLI::App& stock) {
  struct Options {
    std::string shop, path, sku, change;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  auto* exported =
      catalog.add_subcommand("export", "write the shop's catalog as CSV (the import format)");
  exported->add_option("--shop", o->shop, "the shop's phone_number_id")->required();
  exported->add_option("file", o->path, "where to write it (default: standard output)");
  auto* adjust = stock.add_subcommand("adjust", "add or take away units of one product (+5, -3)");
  adjust->add_option("--shop", o->shop, "the shop's phone_number_id")->required();
  adjust->add_option("sku", o->sku, "product SKU")->required();
  adjust->add_option("change", o->change, "signed number of units, like +5 or -3")->required();
  auto* config_cmd = cli.add_subcommand("config", "the configuration");
  config_cmd->require_subcommand(1);
  auto* check =
      config_cmd->add_subcommand("check", "validate the config and reach every server it names");
  auto* shop_cmd = cli.get_subcommand("shop");
  auto* show = shop_cmd->add_subcommand("show", "one shop's settings, owners and credential state");
  show->add_option("--shop", o->shop, "the shop's phone_number_id")->required();
  show->add_flag("--json", o->json, "JSON for scripts");
  auto* webhook = cli.add_subcommand("webhook", "the webhook Meta calls");
  webhook->require_subcommand(1);
  auto* info =
      webhook->add_subcommand("info", "the callback URL and verify token for Meta's dashboard");
  auto* send_test = cli.add_subcommand("send-test", "send TEXT from the shop's number to NUMBER");
  send_test->add_option("shop", o->shop, "the shop's phone_number_id")->required();
  send_test->add_option("number", o->sku, "the recipient, like 919812345678")->required();
  send_test->add_option("text", o->change, "what to send")->required();
  auto* disable = shop_cmd->add_subcommand(
      "disable", "switch a shop off: its customers' messages are parked, unanswered");
  disable->add_option("--shop", o->shop, "the shop's phone_number_id")->required();
  auto* enable = shop_cmd->add_subcommand("enable", "switch a disabled shop on again");
  enable->add_option("--shop", o->shop, "the shop's phone_number_id")->required();
  auto* alias = cli.add_subcommand("alias", "other names customers use for a product");
  alias->require_subcommand(1);
  auto* alias_add = alias->add_subcommand("add", "let customers call SKU also TEXT");
  auto* alias_remove = alias->add_subcommand("remove", "forget that name");
  for (auto* sub : {alias_add, alias_remove}) {
    sub->add_option("--shop", o->shop, "the shop's phone_number_id")->required();
    sub->add_option("sku", o->sku, "product SKU")->required();
    sub->add_option("text", o->change, "the name, like doodh")->required();
  }
  auto* credentials = cli.add_subcommand("credentials", "a shop's Graph API token");
  credentials->require_subcommand(1);
  auto* cred_set = credentials->add_subcommand(
      "set", "store a new token, encrypted (read from stdin or --file, never an argument)");
  cred_set->add_option("--shop", o->shop, "the shop's phone_number_id")->required();
  cred_set->add_option("--file", o->path, "a file whose first line is the token");
  auto* cred_check =
      credentials->add_subcommand("check", "ask the Graph API whether the token works");
  cred_check->add_option("--shop", o->shop, "the shop's phone_number_id")->required();
  return [=](const common::Config& config) {
    if (show->parsed()) return ShopShow(config, o->shop, o->json);
    if (disable->parsed() || enable->parsed()) {
      const bool off = disable->parsed();
      if (auto set = infra::PgShopDirectory(config.postgres.url).SetDisabled(o->shop, off); !set) {
        return Fail(set.error());
      }
      std::cout << "shop " << o->shop
                << (off ? " is disabled: messages to it are parked, unanswered (gateways "
                          "see it within their reload interval)\n"
                        : " is enabled again\n");
      return 0;
    }
    if (info->parsed()) return WebhookInfo(config);
    if (send_test->parsed()) return SendTest(config, o->shop, o->sku, o->change);
    if (alias_add->parsed()) return AliasChange(config, o->shop, o->sku, o->change, true);
    if (alias_remove->parsed()) return AliasChange(config, o->shop, o->sku, o->change, false);
    if (cred_set->parsed()) return CredentialsSet(config, o->shop, o->path);
    if (cred_check->parsed()) return CredentialsCheck(config, o->shop);
    if (exported->parsed()) return CatalogExport(config, o->shop, o->path);
    if (adjust->parsed()) return StockAdjust(config, o->shop, o->sku, o->change);
    if (check->parsed()) return ConfigCheck(config);
    return -1;
  };
}

}  // namespace chatshop::ctl
