// chatshopctl: the admin's tool: schema, shops and their settings, catalogs, stock, templates.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "apps/ctl/admin.h"
#include "apps/ctl/ctl_common.h"
#include "apps/ctl/orders_cmd.h"
#include "apps/ctl/queues.h"
#include "apps/program.h"
#include "apps/retention.h"
#include "bot/order_parser.h"
#include "infra/credentials.h"
#include "infra/migrations.h"
#include "infra/pg_catalog_store.h"
#include "infra/pg_shop_directory.h"
#include "infra/redis_cache.h"
#include "orders/catalog.h"
#include "orders/catalog_service.h"
#include "service/inbound_processor.h"

using namespace chatshop;
using chatshop::ctl::Fail;
using chatshop::ctl::ShopId;

namespace {

int DbMigrate(const common::Config& config) {
  infra::Migrator migrator(config.postgres.url);
  auto applied = migrator.Migrate();
  if (!applied) return Fail(applied.error());
  if (applied->empty()) std::cout << "schema is up to date\n";
  for (int version : *applied) std::cout << "applied migration " << version << "\n";
  return 0;
}

int DbStatus(const common::Config& config) {
  infra::Migrator migrator(config.postgres.url);
  auto states = migrator.Status();
  if (!states) return Fail(states.error());
  for (const auto& s : *states) {
    std::printf("%04d  %-32s  %s\n", s.version, s.name.c_str(),
                s.applied_at ? ("applied " + *s.applied_at).c_str() : "pending");
  }
  return 0;
}

// Applies [retention] once (the workers also do it on a timer).
int DbPrune(const common::Config& config, bool dry_run) {
  auto pruned = apps::PruneOnce(config, dry_run);
  if (!pruned) return Fail(pruned.error());
  const auto& r = config.retention;
  const char* verb = dry_run ? "would delete" : "deleted";
  std::cout << verb << " " << pruned->inbox_rows << " inbox rows older than " << r.inbox_days
            << " days, " << pruned->status_rows << " delivery statuses older than "
            << r.message_status_days << " days";
  if (!dry_run)
    std::cout << " (" << pruned->batches << " batches of at most " << r.batch_rows << ")";
  std::cout << ", " << pruned->parked_messages << " parked messages older than " << r.parked_days
            << " days\n";
  return 0;
}

// The token for `shop add` / `shop update` of the shop `phone_number_id`, sealed under the
// master key (bound to that shop). Without a key it is refused unless the admin asked for a
// plain-text token with --allow-plaintext-token (a test deployment): nullopt, said why.
std::optional<std::string> TokenToStore(std::string token, const std::string& phone_number_id,
                                        bool allow_plaintext) {
  auto vault = infra::TokenVault::FromEnvironment();
  if (!vault) {
    if (!allow_plaintext) {
      std::cerr << "chatshopctl: refusing to store the token unencrypted: " << vault.error().message
                << "; or pass --allow-plaintext-token to store it in plain text anyway\n";
      return std::nullopt;
    }
    std::cerr
        << "chatshopctl: warning: the token is stored unencrypted (--allow-plaintext-token)\n";
    return token;
  }
  auto sealed = vault->Seal(token, phone_number_id);
  if (!sealed) {
    Fail(sealed.error());
    return std::nullopt;
  }
  return *sealed;
}

// A new shop; a number some shop already has is refused (change that one with shop update).
int ShopAdd(const common::Config& config, const std::string& phone_number_id,
            const std::string& name, bool token_stdin, bool allow_plaintext) {
  infra::PgShopDirectory shops(config.postgres.url);
  if (auto existing = shops.StoredToken(phone_number_id); existing) {
    std::cerr << "chatshopctl: a shop already has phone_number_id " << phone_number_id
              << ": change it with `chatshopctl shop update --shop " << phone_number_id
              << " [--name N] [--token-stdin]`\n";
    return 1;
  } else if (existing.error().code != ErrorCode::kNotFound) {
    return Fail(existing.error());
  }
  std::string token;
  if (token_stdin) {
    std::getline(std::cin, token);
  } else if (const char* env = std::getenv("CHATSHOP_SHOP_ACCESS_TOKEN")) {
    token = env;
  }
  if (token.empty()) {
    std::cerr << "chatshopctl: give the shop's Graph API token on stdin (--token-stdin) or in "
                 "CHATSHOP_SHOP_ACCESS_TOKEN; it is never taken as an argument, which would "
                 "leave it in shell history\n";
    return 1;
  }
  auto stored = TokenToStore(token, phone_number_id, allow_plaintext);
  if (!stored) return 1;
  auto shop = shops.UpsertShop(phone_number_id, name, *stored);
  if (!shop) return Fail(shop.error());
  std::cout << "shop " << shop->id << " \"" << shop->name << "\" phone_number_id "
            << shop->phone_number_id << " saved\n";
  return 0;
}

// A registered shop's name and/or token (a new token also lifts a hold on its replies).
int ShopUpdate(const common::Config& config, const std::string& phone_number_id,
               const std::string& name, bool token_stdin, bool allow_plaintext) {
  if (name.empty() && !token_stdin) {
    std::cerr << "chatshopctl: nothing to change: give --name and/or --token-stdin\n";
    return 1;
  }
  infra::PgShopDirectory shops(config.postgres.url);
  if (token_stdin) {
    std::string token;
    std::getline(std::cin, token);
    while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
    if (token.empty()) {
      std::cerr << "chatshopctl: no token on stdin\n";
      return 1;
    }
    auto stored = TokenToStore(token, phone_number_id, allow_plaintext);
    if (!stored) return 1;
    if (auto set = shops.SetToken(phone_number_id, *stored); !set) return Fail(set.error());
  }
  if (!name.empty()) {
    infra::ShopSettingsChange change;
    change.name = name;
    if (auto changed = shops.ChangeSettings(phone_number_id, change); !changed)
      return Fail(changed.error());
  }
  std::cout << "shop " << phone_number_id << " updated" << (token_stdin ? " (new token)" : "")
            << "\n";
  return 0;
}

std::string DeliveryText(const orders::DeliveryRule& rule) {
  if (rule.fee.minor == 0) return "free delivery";
  return "delivery " + rule.fee.ToRupeeText() +
         (rule.free_from ? ", free from " + rule.free_from->ToRupeeText() : "");
}

int ShopList(const common::Config& config, bool as_json) {
  infra::PgShopDirectory shops(config.postgres.url);
  auto list = shops.ListShops();
  if (!list) return Fail(list.error());
  if (as_json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : *list) {
      out.push_back({{"id", s.id},
                     {"phone_number_id", s.phone_number_id},
                     {"name", s.name},
                     {"locale", s.locale},
                     {"created_at", s.created_at}});
    }
    std::cout << out.dump() << "\n";
    return 0;
  }
  for (const auto& s : *list) {
    std::printf("%lld  %-20s  %s  [%s, %s]  (since %s)\n", static_cast<long long>(s.id),
                s.phone_number_id.c_str(), s.name.c_str(), s.locale.c_str(),
                DeliveryText(s.delivery).c_str(), s.created_at.c_str());
  }
  return 0;
}

// Options of `shop set`, as typed.
struct ShopSetOptions {
  std::string name, locale, delivery_fee, free_delivery_from, upi_vpa, cod, messages_per_second;
  std::string reservation_minutes, display_number, waba_id, currency, payee_name;
};

// A UPI virtual payment address: handle@bank, letters, digits, '.', '-' and '_' (NPCI).
bool IsVpa(const std::string& vpa) {
  const auto at = vpa.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == vpa.size() || vpa.size() > 100 ||
      vpa.find('@', at + 1) != std::string::npos) {
    return false;
  }
  return std::all_of(vpa.begin(), vpa.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == '@';
  });
}

// A `shop set` value that is a whole number in [lo, hi] or "default" (the inner nullopt);
// nullopt (left as it is) when not given. Anything else adds `problem` to `problems`.
std::optional<std::optional<int>> NumberOrDefault(const std::string& text, long lo, long hi,
                                                  const char* problem,
                                                  std::vector<std::string>& problems) {
  if (text.empty()) return std::nullopt;
  if (text == "default") return std::optional<int>();
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (*end != '\0' || value < lo || value > hi) {
    problems.push_back(problem);
    return std::nullopt;
  }
  return std::optional<int>(static_cast<int>(value));
}

int ShopSet(const common::Config& config, const std::string& phone_number_id,
            const ShopSetOptions& options) {
  infra::ShopSettingsChange change;
  std::vector<std::string> problems;
  if (!options.name.empty()) change.name = options.name;
  if (!options.locale.empty()) {
    const auto templates =
        apps::LoadTemplatesOrExit(config, service::WorkerTemplateNames(), "chatshopctl");
    if (!templates.HasLocale(options.locale)) {
      std::string known;
      for (const auto& l : templates.Locales()) known += " " + l;
      problems.push_back("--locale: no templates for \"" + options.locale + "\" (have:" + known +
                         ")");
    }
    change.locale = options.locale;
  }
  if (!options.delivery_fee.empty()) {
    orders::Money fee;
    if (!orders::ParseRupees(options.delivery_fee, fee)) {
      problems.push_back("--delivery-fee: not an amount in rupees like 30 or 30.00");
    }
    change.delivery_fee = fee;
  }
  if (options.free_delivery_from == "none") {
    change.free_delivery_from = std::optional<orders::Money>();
  } else if (!options.free_delivery_from.empty()) {
    orders::Money from;
    if (!orders::ParseRupees(options.free_delivery_from, from)) {
      problems.push_back("--free-delivery-from: not an amount in rupees like 500, or none");
    }
    change.free_delivery_from = from;
  }
  if (options.upi_vpa == "none") {
    change.upi_vpa = std::optional<std::string>();
  } else if (!options.upi_vpa.empty()) {
    if (!IsVpa(options.upi_vpa))
      problems.push_back("--upi-vpa: not a UPI address like shop@okaxis");
    change.upi_vpa = options.upi_vpa;
  }
  if (options.cod == "yes" || options.cod == "no") {
    change.cod_allowed = options.cod == "yes";
  } else if (!options.cod.empty()) {
    problems.push_back("--cod: yes or no");
  }
  change.messages_per_second = NumberOrDefault(
      options.messages_per_second, 1, 10000,
      "--messages-per-second: a number from 1 to 10000 (Meta's tier: 80 or 1000), or default",
      problems);
  change.reservation_minutes = NumberOrDefault(
      options.reservation_minutes, 1, 10080,
      "--reservation-minutes: minutes from 1 to 10080 (a week), or default", problems);
  if (!options.display_number.empty()) {
    std::string digits;
    for (char c : options.display_number) {
      if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
    }
    if (digits.size() < 8 || digits.size() > 15 || digits[0] == '0') {
      problems.push_back(
          "--display-number: the shop's WhatsApp number with country code, like +91 98123 45678");
    }
    change.display_phone_number = options.display_number;
  }
  if (!options.waba_id.empty()) {
    if (options.waba_id.find_first_not_of("0123456789") != std::string::npos ||
        options.waba_id.size() > 32) {
      problems.push_back("--waba-id: Meta's WhatsApp Business Account id (digits)");
    }
    change.waba_id = options.waba_id;
  }
  if (!options.payee_name.empty()) {
    if (options.payee_name.size() > 99) problems.push_back("--payee-name: at most 99 characters");
    change.upi_payee_name = options.payee_name;
  }
  if (!options.currency.empty() && options.currency != "INR") {
    problems.push_back("--currency: only INR for now (bills are in rupees)");
  }
  for (const auto& p : problems) std::cerr << "chatshopctl: " << p << "\n";
  if (!problems.empty()) return 1;
  infra::PgShopDirectory shops(config.postgres.url);
  auto shop = shops.ChangeSettings(phone_number_id, change);
  if (!shop) return Fail(shop.error());
  std::cout << "shop " << shop->id << " \"" << shop->name << "\": replies in " << shop->locale
            << ", " << DeliveryText(shop->delivery) << ", "
            << (shop->payment.upi_vpa.empty() ? "no UPI" : "UPI " + shop->payment.upi_vpa)
            << (shop->payment.cod_allowed ? ", cash on delivery" : "") << "\n";
  return 0;
}

// Reads a catalog CSV; prints every bad line and returns nullopt when any line is bad.
std::optional<orders::Catalog> ReadCatalog(const std::string& path,
                                           const orders::CatalogLimits& limits = {}) {
  orders::CatalogImport imported = orders::ReadCatalogCsvFile(path, limits);
  for (const auto& e : imported.errors) {
    std::cerr << path << (e.line > 0 ? ":" + std::to_string(e.line) : "") << ": " << e.message
              << "\n";
  }
  if (!imported.errors.empty() && imported.errors[0].line == 0) return std::nullopt;
  if (!imported.errors.empty()) {
    std::cerr << "chatshopctl: " << imported.errors.size() << " bad line(s); nothing was read from "
              << path << "\n";
    return std::nullopt;
  }
  return imported.catalog;
}

// JSON lines {"text": …} in, one JSON line per input out (the format of
// ../shared/tools/score_parser.py). A line that is not such an object gets an "error".
int ParseOrders(const std::string& catalog_path) {
  auto catalog = ReadCatalog(catalog_path);
  if (!catalog) return 1;
  bot::OrderParser parser(*catalog);
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json out = {{"items", nlohmann::json::array()},
                          {"unmatched", nlohmann::json::array()},
                          {"ambiguous", nlohmann::json::array()}};
    auto in = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!in.is_object() || !in.contains("text") || !in["text"].is_string()) {
      out["error"] = "expected a JSON object with a \"text\" string";
    } else {
      bot::ParsedOrder order = parser.Parse(in["text"].get<std::string>());
      for (const auto& item : order.items) {
        out["items"].push_back({{"sku", item.sku}, {"qty", item.qty}});
      }
      out["unmatched"] = order.unmatched;
      for (const auto& a : order.ambiguous) {
        out["ambiguous"].push_back({{"text", a.text}, {"candidates", a.candidates}});
      }
      out["question"] = order.question;
    }
    std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
  return 0;
}

// The shop id of a WhatsApp number, or an error already printed.

struct CatalogAccess {
  infra::PgCatalogStore store;
  infra::RedisCatalogCache cache;
  orders::CatalogService service{store, cache};
  explicit CatalogAccess(const common::Config& config)
      : store(config.postgres.url),
        cache({config.redis.url, config.redis.key_prefix, config.redis.cache_ttl_seconds}) {}
};

// Replaces a shop's catalog with a CSV file: every line is checked first and a file with any
// bad line changes nothing.
int CatalogImport(const common::Config& config, const std::string& phone_number_id,
                  const std::string& path) {
  orders::CatalogLimits limits;
  limits.max_price = orders::Money{config.orders.max_price_rupees * 100};
  auto catalog = ReadCatalog(path, limits);
  if (!catalog) return 1;
  auto shop_id = ShopId(config, phone_number_id);
  if (!shop_id) return 1;
  CatalogAccess access(config);
  // A large catalog takes a while (one transaction, all or nothing): show how far it is.
  if (catalog->products.size() >= 1000) {
    const bool tty = ::isatty(STDERR_FILENO) != 0;
    access.store.set_progress([tty, last = -1](size_t done, size_t total) mutable {
      const int percent = static_cast<int>(done * 100 / total);
      if (tty) {
        const int bar = percent / 5;
        std::cerr << "\rimporting [" << std::string(bar, '#') << std::string(20 - bar, ' ') << "] "
                  << percent << "% (" << done << " of " << total << ")"
                  << (done == total ? "\n" : "") << std::flush;
      } else if (percent / 10 != last / 10 || done == total) {
        std::cerr << "importing: " << percent << "% (" << done << " of " << total << " products)\n";
      }
      last = percent;
    });
  }
  auto replaced = access.service.Replace(*shop_id, *catalog);
  if (!replaced && replaced.error().code != ErrorCode::kUnavailable) return Fail(replaced.error());
  std::cout << "imported " << catalog->products.size() << " products for shop " << *shop_id << "\n";
  if (!replaced) std::cerr << "chatshopctl: warning: " << replaced.error().message << "\n";
  return 0;
}

int CatalogList(const common::Config& config, const std::string& phone_number_id, bool as_json) {
  auto shop_id = ShopId(config, phone_number_id);
  if (!shop_id) return 1;
  CatalogAccess access(config);
  auto catalog = access.service.Load(*shop_id);
  if (!catalog) return Fail(catalog.error());
  if (as_json) {
    std::cout << orders::CatalogToJson(*catalog) << "\n";
    return 0;
  }
  for (const auto& p : catalog->products) {
    std::printf("%-18s %-44s %14s  stock %-5lld %s\n", p.sku.c_str(), p.name.c_str(),
                p.price.ToRupeeText().c_str(), static_cast<long long>(p.stock), p.unit.c_str());
  }
  return 0;
}

int StockSet(const common::Config& config, const std::string& phone_number_id,
             const std::string& sku, int64_t stock) {
  auto shop_id = ShopId(config, phone_number_id);
  if (!shop_id) return 1;
  CatalogAccess access(config);
  auto set = access.service.SetStock(*shop_id, sku, stock);
  if (!set && set.error().code != ErrorCode::kUnavailable) return Fail(set.error());
  std::cout << sku << " stock is now " << stock << "\n";
  if (!set) std::cerr << "chatshopctl: warning: " << set.error().message << "\n";
  return 0;
}

// Owner numbers are digits with the country code, as WhatsApp's wa_id.
int OwnerAdd(const common::Config& config, const std::string& phone_number_id,
             bot::ShopOwner owner) {
  if (!owner.phone.empty() && owner.phone[0] == '+') owner.phone.erase(0, 1);
  // E.164: a country code (never starting with 0), at most 15 digits in all.
  if (owner.phone.size() < 8 || owner.phone.size() > 15 || owner.phone[0] == '0' ||
      owner.phone.find_first_not_of("0123456789") != std::string::npos) {
    std::cerr << "chatshopctl: --phone: the owner's WhatsApp number with country code, like "
                 "919812345678\n";
    return 1;
  }
  const auto templates =
      apps::LoadTemplatesOrExit(config, service::WorkerTemplateNames(), "chatshopctl");
  if (!templates.HasLocale(owner.locale)) {
    std::cerr << "chatshopctl: --locale: no templates for \"" << owner.locale << "\"\n";
    return 1;
  }
  auto shop_id = ShopId(config, phone_number_id);
  if (!shop_id) return 1;
  infra::PgShopDirectory shops(config.postgres.url);
  if (auto added = shops.AddOwner(*shop_id, owner); !added) return Fail(added.error());
  std::cout << "owner +" << owner.phone << " can now run shop " << *shop_id << "\n";
  return 0;
}

int OwnerRemove(const common::Config& config, const std::string& phone_number_id,
                std::string phone) {
  if (!phone.empty() && phone[0] == '+') phone.erase(0, 1);
  auto shop_id = ShopId(config, phone_number_id);
  if (!shop_id) return 1;
  infra::PgShopDirectory shops(config.postgres.url);
  auto removed = shops.RemoveOwner(*shop_id, phone);
  if (!removed) return Fail(removed.error());
  std::cout << (*removed ? "removed owner +" : "+") << phone
            << (*removed ? "" : " was not an owner") << "\n";
  return 0;
}

int OwnerList(const common::Config& config, const std::string& phone_number_id, bool as_json) {
  auto shop_id = ShopId(config, phone_number_id);
  if (!shop_id) return 1;
  infra::PgShopDirectory shops(config.postgres.url);
  auto owners = shops.ListOwners(*shop_id);
  if (!owners) return Fail(owners.error());
  if (as_json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& o : *owners)
      out.push_back({{"phone", o.phone}, {"name", o.name}, {"locale", o.locale}});
    std::cout << out.dump() << "\n";
    return 0;
  }
  if (owners->empty()) std::cout << "no owners: payment proofs have nobody to go to\n";
  for (const auto& o : *owners)
    std::cout << "+" << o.phone << "  " << o.locale << "  " << o.name << "\n";
  return 0;
}

// The approved WhatsApp template a kind of order notice falls back to outside the 24-hour window.
int NoticeTemplateSet(const common::Config& config, const std::string& phone_number_id,
                      const std::string& kind, const bot::NoticeTemplate& t) {
  if (std::find_if(std::begin(bot::kNoticeKinds), std::end(bot::kNoticeKinds),
                   [&](const char* k) { return kind == k; }) == std::end(bot::kNoticeKinds)) {
    std::cerr << "chatshopctl: unknown notice kind \"" << kind << "\"; one of:";
    for (const char* k : bot::kNoticeKinds) std::cerr << " " << k;
    std::cerr << "\n";
    return 1;
  }
  if (t.name.empty() || t.language.empty()) {
    std::cerr << "chatshopctl: give the template's name and --language as approved by Meta\n";
    return 1;
  }
  auto shop_id = ShopId(config, phone_number_id);
  if (!shop_id) return 1;
  infra::PgShopDirectory shops(config.postgres.url);
  if (auto set = shops.SetNoticeTemplate(*shop_id, kind, t); !set) return Fail(set.error());
  std::cout << kind << " notices outside the 24-hour window use template " << t.name << " ("
            << t.language << "): {{1}} order number, {{2}} detail\n";
  return 0;
}

int ListShopTemplates(const common::Config& config, const std::string& phone_number_id) {
  auto shop_id = ShopId(config, phone_number_id);
  if (!shop_id) return 1;
  infra::PgShopDirectory shops(config.postgres.url);
  auto list = shops.ListTemplates(*shop_id);
  if (!list) return Fail(list.error());
  if (list->empty()) std::cout << "the shop uses the shipped wording of every template\n";
  for (const auto& t : *list) {
    std::cout << t.locale << "/" << t.name << "  (set " << t.updated_at << ")\n";
  }
  return 0;
}

// Checks the template against the shipped set (known locale and name, compiles) and stores it.
int SetShopTemplate(const common::Config& config, const std::string& phone_number_id,
                    const std::string& locale, const std::string& name, const std::string& path) {
  const auto templates =
      apps::LoadTemplatesOrExit(config, service::WorkerTemplateNames(), "chatshopctl");
  if (!templates.HasLocale(locale)) {
    std::cerr << "chatshopctl: --locale: no shipped templates for \"" << locale << "\"\n";
    return 1;
  }
  if (!templates.HasName(name)) {
    std::cerr << "chatshopctl: there is no template called \"" << name << "\" (see "
              << config.templates.dir << "/" << common::kDefaultLocale << ")\n";
    return 1;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "chatshopctl: cannot read " << path << "\n";
    return 1;
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string body = text.str();
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
  if (auto problem = common::OverrideProblem(templates.Source(locale, name), body);
      !problem.empty()) {
    std::cerr << path << ": " << problem << "\n";
    return 1;
  }
  auto shop_id = ShopId(config, phone_number_id);
  if (!shop_id) return 1;
  infra::PgShopDirectory shops(config.postgres.url);
  if (auto set = shops.SetTemplate(*shop_id, locale, name, body); !set) return Fail(set.error());
  std::cout << "shop " << *shop_id << " now uses its own " << locale << "/" << name << "\n";
  return 0;
}

int ResetShopTemplate(const common::Config& config, const std::string& phone_number_id,
                      const std::string& locale, const std::string& name) {
  auto shop_id = ShopId(config, phone_number_id);
  if (!shop_id) return 1;
  infra::PgShopDirectory shops(config.postgres.url);
  auto reset = shops.ResetTemplate(*shop_id, locale, name);
  if (!reset) return Fail(reset.error());
  std::cout << (*reset ? "shop now uses the shipped " : "shop already used the shipped ") << locale
            << "/" << name << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"chatshopctl: administer a chatshop deployment"};
  cli.require_subcommand(1);
  std::string config_path;
  if (const char* env = std::getenv("CHATSHOP_CONFIG")) config_path = env;
  cli.add_option("--config", config_path, "TOML config file (default: $CHATSHOP_CONFIG)");

  auto* db = cli.add_subcommand("db", "database schema");
  db->require_subcommand(1);
  auto* migrate = db->add_subcommand("migrate", "apply the migrations that are missing");
  auto* status = db->add_subcommand("status", "list migrations and when each was applied");
  auto* prune = db->add_subcommand(
      "prune",
      "delete inbox rows, delivery statuses and parked messages older than [retention] says");
  bool prune_dry_run = false;
  prune->add_flag("--dry-run", prune_dry_run, "only count what would be deleted");

  auto* shop = cli.add_subcommand("shop", "shops and their WhatsApp numbers");
  shop->require_subcommand(1);
  auto* add =
      shop->add_subcommand("add", "register a shop (a number already registered is refused)");
  std::string phone_number_id, name;
  bool token_stdin = false;
  add->add_option("--phone-number-id", phone_number_id, "Meta's id of the shop's number")
      ->required();
  add->add_option("--name", name, "shop name shown to customers")->required();
  add->add_flag("--token-stdin", token_stdin, "read the Graph API token from stdin");
  std::string token_on_argv;
  add->add_option("--token", token_on_argv, "refused: a token in argv leaks (use --token-stdin)");
  bool allow_plaintext = false;
  add->add_flag("--allow-plaintext-token", allow_plaintext,
                "store the token unencrypted when there is no master key (tests only)");
  auto* update = shop->add_subcommand("update", "change a registered shop's name or token");
  std::string update_number, update_name;
  bool update_token = false;
  update->add_option("--shop", update_number, "the shop's phone_number_id")->required();
  update->add_option("--name", update_name, "shop name shown to customers");
  update->add_flag("--token-stdin", update_token, "read a new Graph API token from stdin");
  update->add_flag("--allow-plaintext-token", allow_plaintext,
                   "store the token unencrypted when there is no master key (tests only)");
  auto* list = shop->add_subcommand("list", "list shops");
  bool as_json = false;
  list->add_flag("--json", as_json, "JSON for scripts");
  auto* shop_set = shop->add_subcommand("set", "change a shop's name, language or delivery fee");
  ShopSetOptions shop_options;
  std::string shop_number;
  shop_set->add_option("--shop", shop_number, "the shop's phone_number_id")->required();
  shop_set->add_option("--name", shop_options.name, "shop name shown to customers");
  shop_set->add_option("--locale", shop_options.locale, "language replies start in (en, hi)");
  shop_set->add_option("--delivery-fee", shop_options.delivery_fee, "rupees per order, like 30");
  shop_set->add_option("--free-delivery-from", shop_options.free_delivery_from,
                       "subtotal in rupees from which delivery is free, or none");
  shop_set->add_option("--upi-vpa", shop_options.upi_vpa, "UPI address customers pay, or none");
  shop_set->add_option("--cod", shop_options.cod, "cash on delivery allowed: yes or no");
  shop_set->add_option("--reservation-minutes", shop_options.reservation_minutes,
                       "how long checkout holds the stock for this shop, or default");
  shop_set->add_option("--display-number", shop_options.display_number,
                       "the number as customers see it");
  shop_set->add_option("--waba-id", shop_options.waba_id, "Meta's WhatsApp Business Account id");
  shop_set->add_option("--currency", shop_options.currency, "INR (the only one for now)");
  shop_set->add_option("--payee-name", shop_options.payee_name,
                       "the name UPI apps show the payer (default: the shop's name)");
  shop_set->add_option("--messages-per-second", shop_options.messages_per_second,
                       "the shop number's Graph API throughput when Meta raised it, or default");

  auto* owner = cli.add_subcommand("owner", "WhatsApp numbers that run a shop");
  owner->require_subcommand(1);
  bot::ShopOwner owner_options{"", "", "en"};
  auto* owner_add = owner->add_subcommand("add", "let a number approve payments and move orders");
  owner_add->add_option("--shop", shop_number, "the shop's phone_number_id")->required();
  owner_add->add_option("--phone", owner_options.phone, "the owner's WhatsApp number")->required();
  owner_add->add_option("--name", owner_options.name, "name, for the admin");
  owner_add->add_option("--locale", owner_options.locale, "language of the owner's messages");
  auto* owner_remove = owner->add_subcommand("remove", "take a number's owner rights away");
  owner_remove->add_option("--shop", shop_number, "the shop's phone_number_id")->required();
  owner_remove->add_option("--phone", owner_options.phone, "the owner's WhatsApp number")
      ->required();
  auto* owner_list = owner->add_subcommand("list", "the shop's owner numbers");
  owner_list->add_flag("--json", as_json, "JSON for scripts");
  owner_list->add_option("--shop", shop_number, "the shop's phone_number_id")->required();

  auto* catalog = cli.add_subcommand("catalog", "a shop's products");
  catalog->require_subcommand(1);
  auto* import = catalog->add_subcommand("import", "replace the shop's catalog with a CSV file");
  std::string import_path;
  import->add_option("--shop", shop_number, "the shop's phone_number_id")->required();
  import->add_option("file", import_path, "catalog CSV")->required();
  auto* catalog_list = catalog->add_subcommand("list", "list the shop's products");
  catalog_list->add_flag("--json", as_json, "JSON for scripts");
  catalog_list->add_option("--shop", shop_number, "the shop's phone_number_id")->required();

  auto* stock = cli.add_subcommand("stock", "stock levels");
  stock->require_subcommand(1);
  auto* stock_set = stock->add_subcommand("set", "set one product's stock");
  std::string stock_sku;
  int64_t stock_value = 0;
  stock_set->add_option("--shop", shop_number, "the shop's phone_number_id")->required();
  stock_set->add_option("sku", stock_sku, "product SKU")->required();
  stock_set->add_option("count", stock_value, "units in stock")
      ->required()
      ->check(CLI::Range(int64_t{0}, int64_t{1000000000}));

  auto* tmpl = cli.add_subcommand("template", "a shop's own wording of replies");
  tmpl->require_subcommand(1);
  std::string tmpl_locale, tmpl_name, tmpl_path;
  auto* tmpl_list = tmpl->add_subcommand("list", "templates the shop has replaced");
  tmpl_list->add_option("--shop", shop_number, "the shop's phone_number_id")->required();
  auto* tmpl_set = tmpl->add_subcommand(
      "set", "replace a template for one shop (takes effect with the next message)");
  tmpl_set->add_option("--shop", shop_number, "the shop's phone_number_id")->required();
  tmpl_set->add_option("--locale", tmpl_locale, "en, hi")->required();
  tmpl_set->add_option("name", tmpl_name, "template name, as in templates/en/NAME.mustache")
      ->required();
  tmpl_set->add_option("file", tmpl_path, "Mustache file with the shop's wording")->required();
  auto* tmpl_reset = tmpl->add_subcommand("reset", "go back to the shipped wording");
  tmpl_reset->add_option("--shop", shop_number, "the shop's phone_number_id")->required();
  tmpl_reset->add_option("--locale", tmpl_locale, "en, hi")->required();
  tmpl_reset->add_option("name", tmpl_name, "template name")->required();

  auto* notice = cli.add_subcommand("notice-template",
                                    "approved templates for order notices outside 24 hours");
  notice->require_subcommand(1);
  std::string notice_kind;
  bot::NoticeTemplate notice_template;
  auto* notice_set = notice->add_subcommand("set", "use template NAME for KIND notices");
  notice_set->add_option("--shop", shop_number, "the shop's phone_number_id")->required();
  notice_set
      ->add_option("kind", notice_kind,
                   "confirmed, rejected, packed, out, delivered, cancelled or expired")
      ->required();
  notice_set->add_option("name", notice_template.name, "the approved template's name")->required();
  notice_set->add_option("--language", notice_template.language, "its language code, like en")
      ->required();

  auto* parse_order = cli.add_subcommand(
      "parse-order", "turn shopping messages (JSON lines {\"text\":…} on stdin) into items");
  std::string catalog_path;
  parse_order->add_option("--catalog", catalog_path, "the shop's catalog CSV")->required();

  auto run_queue_command = ctl::AddQueueCommands(cli);
  auto run_admin_command = ctl::AddAdminCommands(cli, *catalog, *stock);
  auto run_order_command = ctl::AddOrderCommands(cli);

  CLI11_PARSE(cli, argc, argv);
  if (parse_order->parsed()) return ParseOrders(catalog_path);  // needs no servers, no config
  if (config_path.empty()) {
    std::cerr << "chatshopctl: no config: pass --config FILE or set CHATSHOP_CONFIG\n";
    return 1;
  }
  // A config the admin can fix is exit 1 here, like every other mistake (2: a server is down).
  common::Config config = apps::LoadConfigOrExit(config_path, "chatshopctl", 1);

  if (migrate->parsed()) return DbMigrate(config);
  if (status->parsed()) return DbStatus(config);
  if (prune->parsed()) return DbPrune(config, prune_dry_run);
  if (add->parsed() && !token_on_argv.empty()) {
    std::cerr << "chatshopctl: not taking the token from the command line, where shell history "
                 "and process lists keep it: pipe it in with --token-stdin\n";
    return 1;
  }
  if (add->parsed()) return ShopAdd(config, phone_number_id, name, token_stdin, allow_plaintext);
  if (update->parsed()) {
    return ShopUpdate(config, update_number, update_name, update_token, allow_plaintext);
  }
  if (list->parsed()) return ShopList(config, as_json);
  if (shop_set->parsed()) return ShopSet(config, shop_number, shop_options);
  if (notice_set->parsed())
    return NoticeTemplateSet(config, shop_number, notice_kind, notice_template);
  if (owner_add->parsed()) return OwnerAdd(config, shop_number, owner_options);
  if (owner_remove->parsed()) return OwnerRemove(config, shop_number, owner_options.phone);
  if (owner_list->parsed()) return OwnerList(config, shop_number, as_json);
  if (tmpl_list->parsed()) return ListShopTemplates(config, shop_number);
  if (tmpl_set->parsed())
    return SetShopTemplate(config, shop_number, tmpl_locale, tmpl_name, tmpl_path);
  if (tmpl_reset->parsed()) return ResetShopTemplate(config, shop_number, tmpl_locale, tmpl_name);
  if (import->parsed()) return CatalogImport(config, shop_number, import_path);
  if (catalog_list->parsed()) return CatalogList(config, shop_number, as_json);
  if (stock_set->parsed()) return StockSet(config, shop_number, stock_sku, stock_value);
  if (int ran = run_queue_command(config); ran >= 0) return ran;
  if (int ran = run_admin_command(config); ran >= 0) return ran;
  if (int ran = run_order_command(config); ran >= 0) return ran;
  return 1;
}
