/* A slave's register map: its coil, input and holding tables, and which of
 * them may be written within which limits. The storage belongs to the
 * application (static arrays sized from its generated header); the core
 * only indexes it, so nothing is allocated. */
#ifndef KK_MAP_H
#define KK_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One contiguous table of 16-bit registers. */
typedef struct {
    uint16_t first; /* protocol address of regs[0] */
    uint16_t count; /* 0: the device has no such table */
    uint16_t *regs;
} kk_reg_table_t;

/* One contiguous table of bits, packed eight to a byte, least significant
 * bit first, as they travel in FC01 replies. */
typedef struct {
    uint16_t first;
    uint16_t count;
    uint8_t *bits; /* (count + 7) / 8 bytes */
} kk_bit_table_t;

/* A writable holding register and the raw values it accepts. int32_t holds
 * every u16 and s16 value; the core writes 16-bit registers only. */
typedef struct {
    uint16_t address;
    bool is_signed;
    int32_t min;
    int32_t max;
} kk_limit_t;

typedef struct {
    kk_bit_table_t coils;
    kk_reg_table_t input;
    kk_reg_table_t holding;
    const kk_limit_t *limits; /* one per writable holding register */
    size_t limit_count;
    const uint16_t *writable_coils;
    size_t writable_coil_count;
} kk_map_t;

/* Whether [address, address + count) lies inside a table of `first`, `size`. */
bool kk_span_inside(uint16_t first, uint16_t size, uint16_t address, uint16_t count);

bool kk_bit_get(const kk_bit_table_t *table, uint16_t address);
void kk_bit_put(kk_bit_table_t *table, uint16_t address, bool on);

/* The limit of a writable holding register, or NULL when it is read-only. */
const kk_limit_t *kk_map_limit(const kk_map_t *map, uint16_t address);
bool kk_map_coil_writable(const kk_map_t *map, uint16_t address);

/* Whether a raw register value lies within its limit, read as s16 or u16. */
bool kk_limit_accepts(const kk_limit_t *limit, uint16_t raw);

#ifdef __cplusplus
}
#endif

#endif
