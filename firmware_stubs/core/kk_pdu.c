#include "kk_pdu.h"

/* A fixed-size request: function code, address, quantity or value. */
#define FIXED_REQUEST_LEN 5u
/* FC16 before its values: function, address, quantity, byte count. */
#define WRITE_REGISTERS_HEAD 6u

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(((uint16_t)p[0] << 8) | p[1]);
}

static void put_be16(uint8_t *p, uint16_t value)
{
    p[0] = (uint8_t)(value >> 8);
    p[1] = (uint8_t)(value & 0xFFu);
}

static size_t exception(uint8_t function, uint8_t code, uint8_t *reply)
{
    reply[0] = (uint8_t)(function | 0x80u);
    reply[1] = code;
    return 2u;
}

uint16_t kk_write_value(const kk_write_t *write, uint16_t i)
{
    if (write->table == KK_WRITE_COILS) {
        return be16(write->data) == 0xFF00u ? 1u : 0u;
    }
    return be16(&write->data[2u * (size_t)i]);
}

static size_t read_bits(const kk_bit_table_t *table, const uint8_t *request, uint8_t *reply)
{
    uint16_t address = be16(&request[1]);
    uint16_t count = be16(&request[3]);
    uint16_t bytes = (uint16_t)((count + 7u) / 8u);
    uint16_t i;

    if (count == 0u || count > KK_MAX_READ_BITS) {
        return exception(request[0], KK_EX_ILLEGAL_VALUE, reply);
    }
    if (!kk_span_inside(table->first, table->count, address, count)) {
        return exception(request[0], KK_EX_ILLEGAL_ADDRESS, reply);
    }
    reply[0] = request[0];
    reply[1] = (uint8_t)bytes;
    for (i = 0; i < bytes; i++) {
        reply[2u + i] = 0u;
    }
    for (i = 0; i < count; i++) {
        if (kk_bit_get(table, (uint16_t)(address + i))) {
            reply[2u + i / 8u] = (uint8_t)((unsigned)reply[2u + i / 8u] | (1u << (i % 8u)));
        }
    }
    return 2u + bytes;
}

static size_t read_registers(const kk_reg_table_t *table, const uint8_t *request, uint8_t *reply)
{
    uint16_t address = be16(&request[1]);
    uint16_t count = be16(&request[3]);
    uint16_t i;

    if (count == 0u || count > KK_MAX_READ_REGISTERS) {
        return exception(request[0], KK_EX_ILLEGAL_VALUE, reply);
    }
    if (!kk_span_inside(table->first, table->count, address, count)) {
        return exception(request[0], KK_EX_ILLEGAL_ADDRESS, reply);
    }
    reply[0] = request[0];
    reply[1] = (uint8_t)(2u * count);
    for (i = 0; i < count; i++) {
        put_be16(&reply[2u + 2u * i], table->regs[address - table->first + i]);
    }
    return 2u + 2u * (size_t)count;
}

/* The application's veto, then the store and its side effects. */
static uint8_t commit(kk_map_t *map, const kk_write_hooks_t *hooks, const kk_write_t *write)
{
    uint16_t i;

    if (hooks != NULL && hooks->check != NULL) {
        uint8_t refused = hooks->check(hooks->ctx, write);
        if (refused != 0u) {
            return refused;
        }
    }
    for (i = 0; i < write->count; i++) {
        uint16_t address = (uint16_t)(write->address + i);
        if (write->table == KK_WRITE_COILS) {
            kk_bit_put(&map->coils, address, kk_write_value(write, i) != 0u);
        } else {
            map->holding.regs[address - map->holding.first] = kk_write_value(write, i);
        }
    }
    if (hooks != NULL && hooks->applied != NULL) {
        hooks->applied(hooks->ctx, write);
    }
    return 0u;
}

static size_t write_coil(kk_map_t *map, const kk_write_hooks_t *hooks, const uint8_t *request,
                         uint8_t *reply)
{
    kk_write_t write;
    uint16_t value = be16(&request[3]);
    uint8_t refused;
    size_t i;

    write.table = KK_WRITE_COILS;
    write.address = be16(&request[1]);
    write.count = 1u;
    write.data = &request[3];
    if (value != 0xFF00u && value != 0x0000u) {
        return exception(request[0], KK_EX_ILLEGAL_VALUE, reply);
    }
    if (!kk_span_inside(map->coils.first, map->coils.count, write.address, 1u) ||
        !kk_map_coil_writable(map, write.address)) {
        return exception(request[0], KK_EX_ILLEGAL_ADDRESS, reply);
    }
    refused = commit(map, hooks, &write);
    if (refused != 0u) {
        return exception(request[0], refused, reply);
    }
    for (i = 0; i < FIXED_REQUEST_LEN; i++) {
        reply[i] = request[i];
    }
    return FIXED_REQUEST_LEN;
}

/* Checks every register of a write before any is stored: all or nothing. */
static uint8_t check_registers(const kk_map_t *map, const kk_write_t *write)
{
    uint16_t i;

    if (!kk_span_inside(map->holding.first, map->holding.count, write->address, write->count)) {
        return KK_EX_ILLEGAL_ADDRESS;
    }
    for (i = 0; i < write->count; i++) {
        if (kk_map_limit(map, (uint16_t)(write->address + i)) == NULL) {
            return KK_EX_ILLEGAL_ADDRESS;
        }
    }
    for (i = 0; i < write->count; i++) {
        const kk_limit_t *limit = kk_map_limit(map, (uint16_t)(write->address + i));
        if (limit == NULL || !kk_limit_accepts(limit, kk_write_value(write, i))) {
            return KK_EX_ILLEGAL_VALUE;
        }
    }
    return 0u;
}

static size_t write_registers(kk_map_t *map, const kk_write_hooks_t *hooks, const uint8_t *request,
                              size_t request_len, uint8_t *reply)
{
    kk_write_t write;
    uint8_t refused;
    size_t i;

    write.table = KK_WRITE_HOLDING;
    if (request[0] == KK_FC_WRITE_REGISTER) {
        if (request_len != FIXED_REQUEST_LEN) {
            return exception(request[0], KK_EX_ILLEGAL_VALUE, reply);
        }
        write.count = 1u;
        write.data = &request[3];
    } else {
        if (request_len < WRITE_REGISTERS_HEAD) {
            return exception(request[0], KK_EX_ILLEGAL_VALUE, reply);
        }
        write.count = be16(&request[3]);
        write.data = &request[WRITE_REGISTERS_HEAD];
        /* The byte count and the frame length must both agree with the
         * quantity: the specification's "implied length is incorrect". */
        if (write.count == 0u || write.count > KK_MAX_WRITE_REGISTERS ||
            request[5] != 2u * write.count ||
            request_len != WRITE_REGISTERS_HEAD + 2u * (size_t)write.count) {
            return exception(request[0], KK_EX_ILLEGAL_VALUE, reply);
        }
    }
    write.address = be16(&request[1]);
    refused = check_registers(map, &write);
    if (refused == 0u) {
        refused = commit(map, hooks, &write);
    }
    if (refused != 0u) {
        return exception(request[0], refused, reply);
    }
    /* FC06 echoes the request; FC16 answers address and quantity. */
    for (i = 0; i < FIXED_REQUEST_LEN; i++) {
        reply[i] = request[i];
    }
    return FIXED_REQUEST_LEN;
}

size_t kk_pdu_handle(kk_map_t *map, const kk_write_hooks_t *hooks, const uint8_t *request,
                     size_t request_len, uint8_t *reply)
{
    uint8_t function = request[0];
    bool fixed = request_len == FIXED_REQUEST_LEN;

    switch (function) {
    case KK_FC_READ_COILS:
    case KK_FC_WRITE_COIL:
        if (map->coils.count == 0u) {
            break;
        }
        if (!fixed) {
            return exception(function, KK_EX_ILLEGAL_VALUE, reply);
        }
        return function == KK_FC_READ_COILS ? read_bits(&map->coils, request, reply)
                                            : write_coil(map, hooks, request, reply);
    case KK_FC_READ_HOLDING:
    case KK_FC_READ_INPUT: {
        const kk_reg_table_t *table =
            function == KK_FC_READ_HOLDING ? &map->holding : &map->input;
        if (table->count == 0u) {
            break;
        }
        if (!fixed) {
            return exception(function, KK_EX_ILLEGAL_VALUE, reply);
        }
        return read_registers(table, request, reply);
    }
    case KK_FC_WRITE_REGISTER:
    case KK_FC_WRITE_REGISTERS:
        if (map->holding.count == 0u) {
            break;
        }
        return write_registers(map, hooks, request, request_len, reply);
    default:
        break;
    }
    /* Unknown functions, and functions of a table this device does not
     * have: the function itself is what the device does not support. */
    return exception(function, KK_EX_ILLEGAL_FUNCTION, reply);
}
