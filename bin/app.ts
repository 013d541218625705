#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { addStage } from '../lib/app.js';

addStage(new App());
