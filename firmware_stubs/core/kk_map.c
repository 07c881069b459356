#include "kk_map.h"

bool kk_span_inside(uint16_t first, uint16_t size, uint16_t address, uint16_t count)
{
    /* 32-bit sums: address + count may pass 0xFFFF and must not wrap. */
    uint32_t end = (uint32_t)address + count;

    return count > 0u && address >= first && end <= (uint32_t)first + size;
}

bool kk_bit_get(const kk_bit_table_t *table, uint16_t address)
{
    uint16_t index = (uint16_t)(address - table->first);

    return (((unsigned)table->bits[index / 8u] >> (index % 8u)) & 1u) != 0u;
}

void kk_bit_put(kk_bit_table_t *table, uint16_t address, bool on)
{
    uint16_t index = (uint16_t)(address - table->first);
    uint8_t mask = (uint8_t)(1u << (index % 8u));

    if (on) {
        table->bits[index / 8u] = (uint8_t)(table->bits[index / 8u] | mask);
    } else {
        table->bits[index / 8u] = (uint8_t)(table->bits[index / 8u] & (uint8_t)~mask);
    }
}

const kk_limit_t *kk_map_limit(const kk_map_t *map, uint16_t address)
{
    size_t i;

    for (i = 0; i < map->limit_count; i++) {
        if (map->limits[i].address == address) {
            return &map->limits[i];
        }
    }
    return NULL;
}

bool kk_map_coil_writable(const kk_map_t *map, uint16_t address)
{
    size_t i;

    for (i = 0; i < map->writable_coil_count; i++) {
        if (map->writable_coils[i] == address) {
            return true;
        }
    }
    return false;
}

bool kk_limit_accepts(const kk_limit_t *limit, uint16_t raw)
{
    int32_t value = (int32_t)raw;

    if (limit->is_signed && raw >= 0x8000u) {
        /* Two's complement by arithmetic: converting an out-of-range value
         * to int16_t would be implementation-defined. */
        value = (int32_t)raw - 0x10000;
    }
    return value >= limit->min && value <= limit->max;
}
