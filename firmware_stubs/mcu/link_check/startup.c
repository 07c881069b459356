/* Minimal Cortex-M0+ start-up for the link-check images: the vector table
 * the core needs to reset into main(), and the copy of initialised data and
 * zeroing of the rest that C requires before main() runs. */
#include <stddef.h>
#include <stdint.h>

/* Defined by rp2040.ld. */
extern uint32_t __data_load[];
extern uint32_t __data_start[];
extern uint32_t __data_end[];
extern uint32_t __bss_start[];
extern uint32_t __bss_end[];
extern uint32_t __stack_top[];

int main(void);
void reset_handler(void);

static void halt(void)
{
    for (;;) {
    }
}

/* A struct rather than an array of function pointers: the initial stack
 * pointer is data, and ISO C forbids converting it to a function pointer. */
typedef struct {
    uint32_t *initial_stack;
    void (*reset)(void);
    void (*nmi)(void);
    void (*hard_fault)(void);
} vector_table_t;

__attribute__((section(".vectors"), used)) static const vector_table_t vectors = {
    __stack_top,
    reset_handler,
    halt,
    halt,
};

void reset_handler(void)
{
    /* Word counts from the linker's addresses; the sections are 4-aligned. */
    size_t data_words = (size_t)((uintptr_t)__data_end - (uintptr_t)__data_start) / 4u;
    size_t bss_words = (size_t)((uintptr_t)__bss_end - (uintptr_t)__bss_start) / 4u;
    size_t i;

    for (i = 0; i < data_words; i++) {
        __data_start[i] = __data_load[i];
    }
    for (i = 0; i < bss_words; i++) {
        __bss_start[i] = 0u;
    }
    (void)main();
    halt();
}
