package dev.weir.worker;
