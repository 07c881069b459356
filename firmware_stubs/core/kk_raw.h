/* Sensor values to register contents. A value that does not fit its
 * register is clamped to the nearest one that does, never wrapped (a wet
 * probe reading 65 536 must not become 0) and never turned into the
 * register's "no value" sentinel; the gateway flags it out of range. */
#ifndef KK_RAW_H
#define KK_RAW_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Unsigned register whose sentinel is 0xFFFF: 0..0xFFFE. */
uint16_t kk_raw_u16(int32_t value);

/* Signed register (two's complement) whose sentinel is 0x8000: -32767..32767. */
uint16_t kk_raw_s16(int32_t value);

/* A register's raw contents read back as a signed value. */
int32_t kk_raw_as_s16(uint16_t raw);

#ifdef __cplusplus
}
#endif

#endif
