package dev.weir.runner;
