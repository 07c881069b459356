/* CRC-16/MODBUS: the check value of every RTU frame. */
#ifndef KK_CRC_H
#define KK_CRC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* CRC-16/MODBUS (reflected polynomial 0xA001, initial value 0xFFFF) of
 * `len` bytes. On the wire the result is sent low byte first. */
uint16_t kk_crc16(const uint8_t *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif
