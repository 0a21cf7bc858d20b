// Linked into every SystemC executable of a sanitizer build (cmake/QflowSanitizers.cmake):
// LeakSanitizer faults scanning SystemC's guard-protected thread stacks, so SystemC processes skip
// the leak check at exit. LeakSanitizer calls this hook itself.
extern "C" int __lsan_is_turned_off() { return 1; }
