// Linked into every SystemC executable of a sanitizer or fuzzing build (cmake/QflowSanitizers.cmake):
// LeakSanitizer cannot scan SystemC's guard-protected thread stacks, so SystemC processes skip the
// leak check, at exit and during fuzzing. LeakSanitizer calls this hook itself.
extern "C" int __lsan_is_turned_off() { return 1; }
