package io.lethe.schemas;
