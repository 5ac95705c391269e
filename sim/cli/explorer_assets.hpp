#pragma once
// The explorer's page, style sheet and scripts (sim/cli/explorer/), compiled into the
// binary by embed_assets.cmake so that `xsector serve` needs no installed files and serves
// nothing from the file system.
#include <cstddef>
#include <span>

namespace xsector {

struct ExplorerAsset {
  const char* path;  // URL path: "/" for index.html, "/explorer.js", ...
  const char* content_type;
  const unsigned char* data;
  std::size_t size;
};

std::span<const ExplorerAsset> explorer_assets();

}  // namespace xsector
