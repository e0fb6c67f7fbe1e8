#include "whatsapp/media_kind.h"

namespace chatshop::whatsapp {

std::optional<ProofFileKind> SniffProofFile(std::string_view bytes) {
  auto starts = [&](std::string_view magic) { return bytes.substr(0, magic.size()) == magic; };
  if (starts("\xFF\xD8\xFF")) return ProofFileKind::kJpeg;
  if (starts(std::string_view("\x89PNG\r\n\x1A\n", 8))) return ProofFileKind::kPng;
  if (bytes.size() >= 12 && starts("RIFF") && bytes.substr(8, 4) == "WEBP") {
    return ProofFileKind::kWebp;
  }
  if (starts("%PDF-")) return ProofFileKind::kPdf;
  return std::nullopt;
}

std::string_view MimeTypeOf(ProofFileKind kind) {
  switch (kind) {
    case ProofFileKind::kJpeg:
      return "image/jpeg";
    case ProofFileKind::kPng:
      return "image/png";
    case ProofFileKind::kWebp:
      return "image/webp";
    case ProofFileKind::kPdf:
      return "application/pdf";
  }
  return "application/octet-stream";
}

std::string_view ExtensionOf(ProofFileKind kind) {
  switch (kind) {
    case ProofFileKind::kJpeg:
      return "jpg";
    case ProofFileKind::kPng:
      return "png";
    case ProofFileKind::kWebp:
      return "webp";
    case ProofFileKind::kPdf:
      return "pdf";
  }
  return "bin";
}

bool IsSendableImageMime(std::string_view mime_type) {
  return mime_type == "image/jpeg" || mime_type == "image/png";
}

}  // namespace chatshop::whatsapp
