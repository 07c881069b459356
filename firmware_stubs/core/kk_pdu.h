/* Modbus PDUs: one request (function code and data) in, one reply out.
 * Function codes 01, 03, 04, 05, 06 and 16 against a kk_map_t; anything
 * else is answered with exception 01. Knows nothing of units, CRCs or
 * serial lines, so the same code would serve Modbus TCP. */
#ifndef KK_PDU_H
#define KK_PDU_H

#include <stddef.h>
#include <stdint.h>

#include "kk_map.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KK_PDU_MAX 253u

#define KK_FC_READ_COILS 0x01u
#define KK_FC_READ_HOLDING 0x03u
#define KK_FC_READ_INPUT 0x04u
#define KK_FC_WRITE_COIL 0x05u
#define KK_FC_WRITE_REGISTER 0x06u
#define KK_FC_WRITE_REGISTERS 0x10u

#define KK_EX_ILLEGAL_FUNCTION 0x01u
#define KK_EX_ILLEGAL_ADDRESS 0x02u
#define KK_EX_ILLEGAL_VALUE 0x03u
#define KK_EX_DEVICE_FAILURE 0x04u

/* Quantity limits of the specification: what fits in one 253-byte PDU. */
#define KK_MAX_READ_BITS 2000u
#define KK_MAX_READ_REGISTERS 125u
#define KK_MAX_WRITE_REGISTERS 123u

typedef enum { KK_WRITE_COILS = 0, KK_WRITE_HOLDING = 1 } kk_write_table_t;

/* A write that passed the address and limit checks. */
typedef struct {
    kk_write_table_t table;
    uint16_t address;
    uint16_t count;
    const uint8_t *data; /* in request order: big-endian registers, or FC05's value */
} kk_write_t;

/* Register i of the write (0 or 1 for a coil). */
uint16_t kk_write_value(const kk_write_t *write, uint16_t i);

typedef struct {
    /* The application's own rules (a speed refused while stopped). Runs
     * after the core's checks and before anything is stored; returns 0 to
     * accept or an exception code, so a refused write changes nothing.
     * May be NULL. */
    uint8_t (*check)(void *ctx, const kk_write_t *write);
    /* The values are stored: act on them (switch the relay) before the
     * reply goes out, so the master's next read already sees the result. */
    void (*applied)(void *ctx, const kk_write_t *write);
    void *ctx;
} kk_write_hooks_t;

/* Answers `request` (`request_len` >= 1 bytes) into `reply`, which must hold
 * KK_PDU_MAX bytes; returns the reply length. An exception reply is the
 * function code with bit 7 set and the exception code. */
size_t kk_pdu_handle(kk_map_t *map, const kk_write_hooks_t *hooks, const uint8_t *request,
                     size_t request_len, uint8_t *reply);

#ifdef __cplusplus
}
#endif

#endif
