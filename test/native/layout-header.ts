// Generates src-native/tcp_info_layout.h from lib/tcp-info-layout.ts: one static_assert per field
// offset and struct size, per platform, checked against that platform's own header wherever the
// addon is compiled. Fields a header may not declare yet (newer Linux kernels) are asserted only
// where declared. test/native/tcp-info-layout.test.ts keeps the checked-in header current.
import { LAYOUTS, type StructLayout } from '../../lib/tcp-info-layout';

function section(name: string, layout: StructLayout): string[] {
  const lines = [`// ${name}: ${layout.type}`];
  const where = '(lib/tcp-info-layout.ts)';
  if (layout.size !== null) {
    lines.push(`static_assert(sizeof(${layout.type}) == ${layout.size}, "sizeof(${layout.type}) is not ${layout.size} ${where}");`);
  }
  for (const [field, { offset, member }] of Object.entries(layout.fields)) {
    if (member === null) {
      lines.push(`// ${field} @${offset}: a byte of bitfields, not checkable with offsetof`);
    } else if (layout.optionalFrom !== null && offset >= layout.optionalFrom) {
      lines.push(`TCPKA_OFFSET_IF_DECLARED(${layout.type}, ${member}, ${offset})`);
    } else {
      lines.push(`static_assert(offsetof(${layout.type}, ${member}) == ${offset}, "${member} is not at ${offset} ${where}");`);
    }
  }
  return lines;
}

/** The text of src-native/tcp_info_layout.h. */
export function layoutHeader(): string {
  const byPlatform = new Map<string, string[]>();
  for (const [name, layout] of Object.entries(LAYOUTS)) {
    const lines = byPlatform.get(layout.platform) ?? [];
    byPlatform.set(layout.platform, [...lines, ...section(name, layout)]);
  }
  const blocks = [...byPlatform].map(([platform, lines], i) => `#${i === 0 ? 'if' : 'elif'} ${platform}\n${lines.join('\n')}`);
  return `// GENERATED from lib/tcp-info-layout.ts by test/native/layout-header.ts: do not edit; run
// \`npm run layout:header\` after changing the table (test/native/tcp-info-layout.test.ts fails
// while this file is stale).
//
// Compile-time proof that the offsets and sizes the TypeScript decoders read are the platform's:
// included after the platform's own declaration of the struct by the one file per OS that reads
// it (diag_linux.cc after <linux/tcp.h>, sockopt_posix.cc on macOS/FreeBSD, sockopt_win.cc).
#pragma once

#include <cstddef>

// static_asserts offsetof(type, member) == offset where the header declares the member; older
// headers that lack a newer field are not an error (the decoder reads it only if filled).
// clang-format off
#define TCPKA_OFFSET_IF_DECLARED(type, member, offset)                                          \\
  template <typename T>                                                                         \\
  constexpr auto tcpka_offset_##member(int) -> decltype(&T::member, std::size_t()) {            \\
    return offsetof(T, member);                                                                 \\
  }                                                                                             \\
  template <typename T>                                                                         \\
  constexpr std::size_t tcpka_offset_##member(long) {                                           \\
    return offset;                                                                              \\
  }                                                                                             \\
  static_assert(tcpka_offset_##member<type>(0) == offset, #member " is not at " #offset " (lib/tcp-info-layout.ts)");

${blocks.join('\n')}
#endif
// clang-format on
`;
}
