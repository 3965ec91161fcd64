// The translation unit that builds the tests' precompiled header
// (tests/CMakeLists.txt, idemcheck_test_pch): it needs no code of its own.
