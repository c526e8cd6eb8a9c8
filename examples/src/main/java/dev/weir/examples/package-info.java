package dev.weir.examples;
