// `chatshopctl catalog …`, `stock …`, `alias …` and `parse-order`: a shop's products.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "apps/ctl/commands.h"
#include "apps/ctl/ctl_common.h"
#include "apps/wiring.h"
#include "bot/order_parser.h"
#include "infra/pg_catalog_store.h"
#include "infra/redis_cache.h"
#include "orders/catalog.h"
#include "orders/catalog_service.h"

namespace chatshop::ctl {
namespace {

// The catalog as the workers read it: PostgreSQL behind the Redis cache.
struct CatalogAccess {
  infra::PgCatalogStore store;
  infra::RedisCatalogCache cache;
  orders::CatalogService service{store, cache};
  explicit CatalogAccess(const common::Config& config)
      : store(config.postgres.url), cache(apps::CatalogCacheSettingsOf(config)) {}
};

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
  // A listing may be a moment stale: [postgres] read_url (a replica) when set.
  auto catalog = infra::PgCatalogStore(apps::PostgresReadUrlOf(config)).LoadCatalog(*shop_id);
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
  CatalogAccess access(config);
  auto now = access.store.AdjustStock(*shop_id, sku, delta);
  if (!now) return Fail(now.error());
  // The change bumped the shop's catalog_version: the next reply reads past any cached copy.
  std::cout << sku << " stock is now " << *now << "\n";
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
  CatalogAccess access(config);
  auto aliases = access.store.ChangeAlias(*shop_id, sku, alias, add);
  if (!aliases) return Fail(aliases.error());
  std::string list;
  for (const auto& a : *aliases) list += (list.empty() ? "" : ", ") + a;
  std::cout << sku << " is also called: " << (list.empty() ? "(nothing else)" : list) << "\n";
  return 0;
}

// `catalog import|list|export`.
void AddCatalog(CLI::App& cli, CommandTable& table) {
  struct Options {
    std::string phone_number_id, path;
    bool json = false;
  };
  auto* catalog = cli.add_subcommand("catalog", "a shop's products");
  catalog->require_subcommand(1);
  auto import_options = std::make_shared<Options>();
  auto* import = catalog->add_subcommand("import", "replace the shop's catalog with a CSV file");
  AddShopOption(import, import_options->phone_number_id);
  import->add_option("file", import_options->path, "catalog CSV")->required();
  table.Add(import, [o = import_options](const common::Config& config) {
    return CatalogImport(config, o->phone_number_id, o->path);
  });
  auto list_options = std::make_shared<Options>();
  auto* list = catalog->add_subcommand("list", "list the shop's products");
  list->add_flag("--json", list_options->json, "JSON for scripts");
  AddShopOption(list, list_options->phone_number_id);
  table.Add(list, [o = list_options](const common::Config& config) {
    return CatalogList(config, o->phone_number_id, o->json);
  });
  auto export_options = std::make_shared<Options>();
  auto* exported =
      catalog->add_subcommand("export", "write the shop's catalog as CSV (the import format)");
  AddShopOption(exported, export_options->phone_number_id);
  exported->add_option("file", export_options->path,
                       "where to write it (default: standard output)");
  table.Add(exported, [o = export_options](const common::Config& config) {
    return CatalogExport(config, o->phone_number_id, o->path);
  });
}

// `stock set|adjust`.
void AddStock(CLI::App& cli, CommandTable& table) {
  auto* stock = cli.add_subcommand("stock", "stock levels");
  stock->require_subcommand(1);
  struct SetOptions {
    std::string phone_number_id, sku;
    int64_t count = 0;
  };
  auto set_options = std::make_shared<SetOptions>();
  auto* set = stock->add_subcommand("set", "set one product's stock");
  AddShopOption(set, set_options->phone_number_id);
  set->add_option("sku", set_options->sku, "product SKU")->required();
  set->add_option("count", set_options->count, "units in stock")
      ->required()
      ->check(CLI::Range(int64_t{0}, int64_t{1000000000}));
  table.Add(set, [o = set_options](const common::Config& config) {
    return StockSet(config, o->phone_number_id, o->sku, o->count);
  });
  struct AdjustOptions {
    std::string phone_number_id, sku, change;
  };
  auto adjust_options = std::make_shared<AdjustOptions>();
  auto* adjust = stock->add_subcommand("adjust", "add or take away units of one product (+5, -3)");
  AddShopOption(adjust, adjust_options->phone_number_id);
  adjust->add_option("sku", adjust_options->sku, "product SKU")->required();
  adjust->add_option("change", adjust_options->change, "signed number of units, like +5 or -3")
      ->required();
  table.Add(adjust, [o = adjust_options](const common::Config& config) {
    return StockAdjust(config, o->phone_number_id, o->sku, o->change);
  });
}

// `alias add|remove`.
void AddAliases(CLI::App& cli, CommandTable& table) {
  struct Options {
    std::string phone_number_id, sku, alias;
  };
  auto* alias = cli.add_subcommand("alias", "other names customers use for a product");
  alias->require_subcommand(1);
  for (const bool add : {true, false}) {
    auto options = std::make_shared<Options>();
    auto* command = add ? alias->add_subcommand("add", "let customers call SKU also TEXT")
                        : alias->add_subcommand("remove", "forget that name");
    AddShopOption(command, options->phone_number_id);
    command->add_option("sku", options->sku, "product SKU")->required();
    command->add_option("text", options->alias, "the name, like doodh")->required();
    table.Add(command, [o = options, add](const common::Config& config) {
      return AliasChange(config, o->phone_number_id, o->sku, o->alias, add);
    });
  }
}

}  // namespace

void AddCatalogCommands(CLI::App& cli, CommandTable& table) {
  AddCatalog(cli, table);
  AddStock(cli, table);
  AddAliases(cli, table);
  auto catalog_path = std::make_shared<std::string>();
  auto* parse_order = cli.add_subcommand(
      "parse-order", "turn shopping messages (JSON lines {\"text\":…} on stdin) into items");
  parse_order->add_option("--catalog", *catalog_path, "the shop's catalog CSV")->required();
  table.AddOffline(parse_order, [catalog_path] { return ParseOrders(*catalog_path); });
}

}  // namespace chatshop::ctl
