// protobufjs uses long.js for 64-bit integers when it finds it; without it
// they decode to numbers, which is what the page wants (the ato service's
// statistics). An object without isLong makes protobufjs go without.
export default {};
