#include "orders/catalog.h"

#include <cctype>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

namespace chatshop::orders {
namespace {

// Splits one CSV record into fields; false on an unterminated quote.
bool SplitCsvLine(std::string_view line, std::vector<std::string>& fields) {
  fields.clear();
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
    } else {
      field += c;
    }
  }
  fields.push_back(std::move(field));
  return !quoted;
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

}  // namespace

const Product* Catalog::Find(std::string_view sku) const {
  for (const auto& p : products) {
    if (p.sku == sku) return &p;
  }
  return nullptr;
}

CatalogImport ReadCatalogCsvFile(const std::string& path, const CatalogLimits& limits) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    CatalogImport failed;
    failed.errors.push_back({0, "cannot open the catalog file"});
    return failed;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseCatalogCsv(text.str(), limits);
}

bool ParseRupees(std::string_view text, Money& out) {
  if (text.empty()) return false;
  int64_t rupees = 0, paise = 0;
  size_t i = 0, digits = 0;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i, ++digits) {
    if (rupees > 100000000000LL) return false;
    rupees = rupees * 10 + (text[i] - '0');
  }
  if (digits == 0) return false;
  if (i < text.size()) {
    if (text[i] != '.') return false;
    size_t decimals = text.size() - i - 1;
    if (decimals == 0 || decimals > 2) return false;
    for (size_t j = i + 1; j < text.size(); ++j) {
      if (!std::isdigit(static_cast<unsigned char>(text[j]))) return false;
      paise = paise * 10 + (text[j] - '0');
    }
    if (decimals == 1) paise *= 10;
  }
  out.minor = rupees * 100 + paise;
  return true;
}

namespace {

// One data row of the catalog CSV: every problem with it goes to `fail`; `skus` holds the SKUs
// seen so far, for the duplicate check.
Product ReadProductRow(const std::vector<std::string>& fields, const CatalogLimits& limits,
                       std::set<std::string>& skus,
                       const std::function<void(const std::string&)>& fail) {
  Product p;
  p.sku = Trim(fields[0]);
  p.name = Trim(fields[1]);
  p.unit = Trim(fields[4]);
  p.category = Trim(fields[5]);
  const std::string price = Trim(fields[2]), stock = Trim(fields[3]);
  if (p.sku.empty()) fail("sku is empty");
  // SKUs travel inside button and list ids ("fix:reduce:<sku>", at most 256 characters),
  // where ':' separates fields.
  // Control characters are refused too (and not echoed): bot/reply_ids does not take them back
  // out of an id.
  for (char c : p.sku) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      fail("sku contains a control character");
      break;
    }
    if (std::isspace(byte) || c == ':') {
      fail("sku \"" + p.sku + "\" contains a space or ':'");
      break;
    }
  }
  if (p.sku.size() > 64) fail("sku is longer than 64 characters");
  // Categories travel in list row ids too ("cat:<offset>:<category>", 256 at most).
  if (p.category.size() > 100) fail("category is longer than 100 characters");
  if (!p.sku.empty() && !skus.insert(p.sku).second) fail("sku " + p.sku + " appears twice");
  if (p.name.empty()) fail("name is empty");
  if (!price.empty() && price[0] == '-' &&
      ParseRupees(std::string_view(price).substr(1), p.price) && p.price.minor > 0) {
    fail("price " + price + " is negative");
  } else if (!ParseRupees(price, p.price)) {
    fail("price \"" + price + "\" is not an amount in rupees like 289.00");
  } else if (p.price.minor > limits.max_price.minor) {
    fail("price " + price + " is more than the highest allowed, " + limits.max_price.ToRupeeText() +
         " ([orders] max_price_rupees)");
  }
  bool stock_ok = !stock.empty() && stock.size() <= 12;
  for (char c : stock) stock_ok = stock_ok && std::isdigit(static_cast<unsigned char>(c));
  if (stock_ok) {
    p.stock = std::stoll(stock);
  } else {
    fail("stock \"" + stock + "\" is not a whole number of 0 or more");
  }
  if (p.unit.empty()) fail("unit is empty");
  if (p.category.empty()) fail("category is empty");
  std::string_view aliases = fields[6];
  while (!aliases.empty()) {
    size_t bar = aliases.find('|');
    std::string alias = Trim(aliases.substr(0, bar));
    if (!alias.empty()) p.aliases.push_back(alias);
    if (bar == std::string_view::npos) break;
    aliases.remove_prefix(bar + 1);
  }
  return p;
}

}  // namespace

CatalogImport ParseCatalogCsv(std::string_view text, const CatalogLimits& limits) {
  CatalogImport result;
  std::set<std::string> skus;
  std::vector<std::string> fields;
  int line_number = 0;
  bool header_seen = false;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line_number == 1 && line.size() >= 3 && line.substr(0, 3) == "\xEF\xBB\xBF") {
      line.remove_prefix(3);  // a spreadsheet's byte-order mark
    }
    if (Trim(line).empty()) {
      if (end == text.size()) break;
      continue;
    }
    auto fail = [&](const std::string& message) {
      result.errors.push_back({line_number, message});
    };
    if (!SplitCsvLine(line, fields)) {
      fail("unterminated quoted field");
      continue;
    }
    if (!header_seen) {
      header_seen = true;
      std::string header;
      for (const auto& f : fields) header += (header.empty() ? "" : ",") + Trim(f);
      if (header != "sku,name,price,stock,unit,category,aliases") {
        fail("the header must be sku,name,price,stock,unit,category,aliases");
        return result;
      }
      continue;
    }
    if (fields.size() != 7) {
      fail("expected 7 fields, found " + std::to_string(fields.size()));
      continue;
    }
    const size_t errors_before = result.errors.size();
    Product p = ReadProductRow(fields, limits, skus, fail);
    if (result.errors.size() == errors_before) result.catalog.products.push_back(std::move(p));
    if (end == text.size()) break;
  }
  if (!header_seen) result.errors.push_back({1, "the file is empty"});
  return result;
}

}  // namespace chatshop::orders
