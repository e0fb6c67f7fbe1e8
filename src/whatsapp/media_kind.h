#pragma once

#include <optional>
#include <string_view>

namespace chatshop::whatsapp {

// The kinds of file a payment proof may be, as its first bytes say (never its declared MIME
// type, which the sender chooses).
enum class ProofFileKind { kJpeg, kPng, kWebp, kPdf };

// The kind `bytes` begin like: JPEG FF D8 FF; PNG 89 50 4E 47 0D 0A 1A 0A; WebP "RIFF" <4 bytes>
// "WEBP"; PDF "%PDF-". nullopt for anything else (text, HTML, a ZIP, an empty file…).
std::optional<ProofFileKind> SniffProofFile(std::string_view bytes);

// "image/jpeg", "image/png", "image/webp", "application/pdf".
std::string_view MimeTypeOf(ProofFileKind kind);

// The file name extension without its dot: "jpg", "png", "webp", "pdf".
std::string_view ExtensionOf(ProofFileKind kind);

// True for the MIME types Meta shows as an image message or image header (docs/cloud-api.md §6:
// image/jpeg and image/png; WebP is for stickers only).
bool IsSendableImageMime(std::string_view mime_type);

}  // namespace chatshop::whatsapp
