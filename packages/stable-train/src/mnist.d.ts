// The 'mnist' package ships no types: an array of 10 digits, each with length and range(a, b).
declare module 'mnist';
