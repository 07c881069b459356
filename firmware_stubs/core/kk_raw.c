#include "kk_raw.h"

#define U16_MAX_VALUE 0xFFFE
#define S16_MAX_VALUE 32767

uint16_t kk_raw_u16(int32_t value)
{
    if (value < 0) {
        return 0u;
    }
    if (value > U16_MAX_VALUE) {
        return (uint16_t)U16_MAX_VALUE;
    }
    return (uint16_t)value;
}

uint16_t kk_raw_s16(int32_t value)
{
    if (value > S16_MAX_VALUE) {
        value = S16_MAX_VALUE;
    } else if (value < -S16_MAX_VALUE) {
        value = -S16_MAX_VALUE;
    }
    /* Conversion to an unsigned type is defined modulo 2^16: -1 -> 0xFFFF. */
    return (uint16_t)value;
}

int32_t kk_raw_as_s16(uint16_t raw)
{
    return raw >= 0x8000u ? (int32_t)raw - 0x10000 : (int32_t)raw;
}
