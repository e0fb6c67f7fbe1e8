// A payment proof's type by its first bytes, whatever its sender declared.
#include "whatsapp/media_kind.h"

#include <gtest/gtest.h>

#include <string>

namespace chatshop::whatsapp {
namespace {

TEST(MediaKindTest, TheFourKindsAreKnownByTheirMagicBytes) {
  EXPECT_EQ(SniffProofFile(std::string("\xFF\xD8\xFF\xE0\0\x10JFIF", 10)), ProofFileKind::kJpeg);
  EXPECT_EQ(SniffProofFile(std::string("\xFF\xD8\xFF\xE1", 4)), ProofFileKind::kJpeg) << "EXIF";
  EXPECT_EQ(SniffProofFile(std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16)), ProofFileKind::kPng);
  EXPECT_EQ(SniffProofFile(std::string("RIFF\x10\x27\0\0WEBPVP8L", 16)), ProofFileKind::kWebp);
  EXPECT_EQ(SniffProofFile("%PDF-1.4\n%\xE2\xE3\xCF\xD3"), ProofFileKind::kPdf);
  EXPECT_EQ(MimeTypeOf(ProofFileKind::kPdf), "application/pdf");
  EXPECT_EQ(MimeTypeOf(ProofFileKind::kPng), "image/png");
  EXPECT_EQ(ExtensionOf(ProofFileKind::kJpeg), "jpg");
}

TEST(MediaKindTest, AnythingElseIsNoProof) {
  for (const std::string& bytes :
       {std::string(), std::string("hello"), std::string("\xFF\xD8", 2),
        std::string("\x89PNG\r\n\x1a", 7), std::string("\x89PNG\r\n\x1b\n", 8),
        std::string("RIFF\0\0\0\0WAVEfmt ", 16), std::string("RIFF\0\0\0\0WEB", 11),
        std::string("%PDF"), std::string(" %PDF-1.4"), std::string("GIF89a"),
        std::string("PK\x03\x04", 4), std::string("<svg xmlns=\"http://www.w3.org/2000/svg\">"),
        std::string("\0\0\0\x18"
                    "ftypheic",
                    12)}) {
    EXPECT_FALSE(SniffProofFile(bytes)) << bytes;
  }
}

TEST(MediaKindTest, MetaShowsOnlyJpegAndPngAsImages) {
  EXPECT_TRUE(IsSendableImageMime("image/jpeg"));
  EXPECT_TRUE(IsSendableImageMime("image/png"));
  EXPECT_FALSE(IsSendableImageMime("image/webp"));
  EXPECT_FALSE(IsSendableImageMime("application/pdf"));
  EXPECT_FALSE(IsSendableImageMime(""));
}

}  // namespace
}  // namespace chatshop::whatsapp
